import Document

/// The controllers a k3s node runs, reduced to what the engine waits for. They act synchronously
/// after each write, so results are deterministic and visible to the next request.
extension Store {
    mutating func reconcile(_ t: ResourceType, ns: String?, name: String, previous: Value?) {
        guard let current = object(t, ns, name) else { return }
        switch (t.group, t.kind) {
        case ("apiextensions.k8s.io", "CustomResourceDefinition"): establish(current)
        case ("helm.cattle.io", "HelmChart"):
            if previous == nil || Self.specChanged(previous!, current) { runHelmJob(current) }
        case ("helm.cattle.io", "HelmChartConfig"): helmChartConfigChanged(ns: ns, name: name, previous: previous, current: current)
        case ("", "PersistentVolumeClaim"): bindClaim(current)
        case ("", "Service"): serveLoadBalancer(current)
        case ("", "PersistentVolume"):
            for (_, claim) in objects[BuiltIn.type(kind: "PersistentVolumeClaim", group: "")!.storageKey] ?? [:]
            where claim[path: ["spec", "volumeName"]]?.stringValue == name { bindClaim(claim) }
        case ("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "ReplicaSet"), ("batch", "Job"):
            reconcileWorkload(t, current)
        default: break
        }
    }

    mutating func afterDelete(_ t: ResourceType, _ old: Value) {
        let name = old[path: ["metadata", "name"]]?.stringValue ?? ""
        switch (t.group, t.kind) {
        case ("", "Namespace"):
            for (storageKey, items) in objects where storageKey != BuiltIn.namespace.storageKey {
                for key in items.keys where key.hasPrefix("\(name)/") { removeKey(storageKey, key) }
            }
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            let group = old[path: ["spec", "group"]]?.stringValue ?? ""
            let plural = old[path: ["spec", "names", "plural"]]?.stringValue ?? ""
            for key in objects["\(group)/\(plural)"]?.keys.sorted() ?? [] { removeKey("\(group)/\(plural)", key) }
            registry.setCustom(name, nil)
        default: break
        }
        // Garbage collection: dependents of the deleted object go with it.
        guard let uid = old[path: ["metadata", "uid"]]?.stringValue else { return }
        for (storageKey, items) in objects {
            for (key, o) in items {
                let owners = o[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []
                if owners.contains(where: { $0["uid"]?.stringValue == uid }) { removeKey(storageKey, key) }
            }
        }
    }

    /// Names accepted, Established, and the CRD's versions served from now on.
    mutating func establish(_ crd: Value) {
        let name = crd[path: ["metadata", "name"]]?.stringValue ?? ""
        let spec = crd["spec"] ?? .null
        let names = spec["names"] ?? .null
        let group = spec["group"]?.stringValue ?? ""
        var served: [ResourceType] = []
        let versions = (spec["versions"]?.arrayValue ?? []).sorted { a, _ in a["storage"]?.boolValue == true }
        for v in versions where v["served"]?.boolValue != false {
            let schema = v[path: ["schema", "openAPIV3Schema"]] ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
            served.append(ResourceType(
                group: group, version: v["name"]?.stringValue ?? "v1",
                plural: names["plural"]?.stringValue ?? "",
                singular: names["singular"]?.stringValue ?? (names["kind"]?.stringValue ?? "").lowercased(),
                kind: names["kind"]?.stringValue ?? "",
                namespaced: spec["scope"]?.stringValue != "Cluster",
                shortNames: (names["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue),
                categories: (names["categories"]?.arrayValue ?? []).compactMap(\.stringValue),
                hasStatus: v[path: ["subresources", "status"]] != nil,
                schema: schema, crdShape: .fromCRD(schema)))
        }
        registry.setCustom(name, served)
        let now = Timestamp.now()
        var status: Value = [
            "conditions": [
                ["type": "NamesAccepted", "status": "True", "lastTransitionTime": .string(now), "reason": "NoConflicts", "message": "no conflicts found"],
                ["type": "Established", "status": "True", "lastTransitionTime": .string(now), "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"],
            ],
            "acceptedNames": names,
            "storedVersions": .array(versions.filter { $0["storage"]?.boolValue == true }.compactMap { $0["name"] }),
        ]
        if let old = crd["status"], old["acceptedNames"] == names { status["conditions"] = old["conditions"] ?? status["conditions"] }
        if crd["status"] != status {
            var updated = crd
            updated["status"] = status
            put(BuiltIn.crd, updated)
        }
    }

    /// helm-controller's install Job: recreated (new uid) whenever the chart's spec changes.
    mutating func runHelmJob(_ chart: Value) {
        let name = chart[path: ["metadata", "name"]]?.stringValue ?? ""
        let ns = chart[path: ["metadata", "namespace"]]?.stringValue ?? "default"
        let jobName = "helm-install-\(name)"
        remove(BuiltIn.job, ns, jobName)
        let job: Value = [
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": [
                "name": .string(jobName), "namespace": .string(ns), "generation": 1,
                "labels": ["helmcharts.helm.cattle.io/chart": .string(name)],
                "annotations": ["helmcharts.helm.cattle.io/configHash": .string("SHA256=" + String(stableHash(JSON.encode(chart["spec"] ?? .null, options: .sortedKeys)), radix: 16))],
                "ownerReferences": [[
                    "apiVersion": "helm.cattle.io/v1", "kind": "HelmChart", "name": .string(name),
                    "uid": chart[path: ["metadata", "uid"]] ?? "", "controller": true, "blockOwnerDeletion": true,
                ]],
            ],
            "spec": [
                "backoffLimit": 1000, "completions": 1, "parallelism": 1,
                "template": ["spec": [
                    "serviceAccountName": .string("helm-\(name)"), "restartPolicy": "OnFailure",
                    "containers": [["name": "helm", "image": "rancher/klipper-helm:v0.9.3-build20241008", "args": ["install"]]],
                ]],
            ],
        ]
        put(BuiltIn.job, job)
        let failure = helmFailures.contains(name) ? "Job has reached the specified backoff limit" : nil
        if let created = object(BuiltIn.job, ns, jobName) { finishJob(created, failure: failure) }
        if failure == nil { renderBundledRelease(chart: chart) }
        if var updated = object(helmChartType(), ns, name) {
            updated["status"] = ["jobName": .string(jobName)]
            if updated["status"] != chart["status"] { put(helmChartType(), updated) }
        }
    }

    private func helmChartType() -> ResourceType {
        registry.lookup(groupVersion: "helm.cattle.io/v1", plural: "helmcharts")
            ?? ResourceType(group: "helm.cattle.io", version: "v1", plural: "helmcharts", singular: "helmchart", kind: "HelmChart", namespaced: true)
    }

    mutating func finishJob(_ job: Value, failure: String?) {
        var j = job
        let now = Timestamp.now()
        if let failure {
            j["status"] = [
                "failed": 1, "startTime": .string(now),
                "conditions": [["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": .string(failure),
                                "lastProbeTime": .string(now), "lastTransitionTime": .string(now)]],
            ]
        } else {
            j["status"] = [
                "succeeded": 1, "startTime": .string(now), "completionTime": .string(now),
                "conditions": [["type": "Complete", "status": "True", "lastProbeTime": .string(now), "lastTransitionTime": .string(now)]],
            ]
        }
        put(BuiltIn.job, j)
    }

    /// A claim naming an existing volume binds to it, both sides Bound. A claim already Bound whose
    /// volume now names no claim uid, or another one, is Lost and the volume merely pre-bound
    /// (Available), as the PersistentVolume controller decides (pkg/controller/volume/persistentvolume/
    /// pv_controller.go: syncBoundClaim "bound to another claim, this claim is lost", syncVolume
    /// "volume is pre-bound to claim"); only a volume with no claimRef at all is bound again.
    mutating func bindClaim(_ claim: Value) {
        let pvType = BuiltIn.type(kind: "PersistentVolume", group: "")!
        let pvcType = BuiltIn.type(kind: "PersistentVolumeClaim", group: "")!
        guard let volumeName = claim[path: ["spec", "volumeName"]]?.stringValue,
              var volume = object(pvType, nil, volumeName) else {
            if claim[path: ["status", "phase"]] == nil {
                var c = claim
                c["status"] = ["phase": "Pending"]
                put(pvcType, c)
            }
            return
        }
        let claimUID = claim[path: ["metadata", "uid"]] ?? ""
        if claim[path: ["status", "phase"]]?.stringValue == "Lost" { return }
        if claim[path: ["status", "phase"]]?.stringValue == "Bound", let live = volume[path: ["spec", "claimRef"]], live["uid"] != claimUID {
            var c = claim
            c["status"] = ["phase": "Lost"]
            put(pvcType, c)
            let phase: Value = (live["uid"]?.stringValue ?? "").isEmpty ? "Available" : "Bound"
            if volume[path: ["status", "phase"]] != phase {
                volume["status"] = ["phase": phase]
                put(pvType, volume)
            }
            return
        }
        let claimRef: Value = [
            "kind": "PersistentVolumeClaim", "namespace": claim[path: ["metadata", "namespace"]] ?? "",
            "name": claim[path: ["metadata", "name"]] ?? "", "uid": claim[path: ["metadata", "uid"]] ?? "",
            "apiVersion": "v1", "resourceVersion": claim[path: ["metadata", "resourceVersion"]] ?? "",
        ]
        if volume[path: ["spec", "claimRef", "uid"]] != claimRef["uid"] || volume[path: ["status", "phase"]]?.stringValue != "Bound" {
            let before = volume
            volume["spec"]?["claimRef"] = claimRef
            volume["status"] = ["phase": "Bound"]
            // The binder's update makes claimRef its own (an Update manager takes the fields it changes),
            // so an apply that resends claimRef without the uid conflicts with it, as on a real cluster.
            volume = Apply.recordUpdate(old: before, new: volume, shape: pvType.shape, manager: Self.controllerManager,
                                        subresource: nil, now: Timestamp.now())
            put(pvType, volume)
        }
        if claim[path: ["status", "phase"]]?.stringValue != "Bound" {
            var c = claim
            var status: Value = ["phase": "Bound", "accessModes": volume[path: ["spec", "accessModes"]] ?? claim[path: ["spec", "accessModes"]] ?? []]
            if let capacity = volume[path: ["spec", "capacity"]] { status["capacity"] = capacity }
            c["status"] = status
            put(pvcType, c)
        }
    }

    /// The field manager of the PersistentVolume binder: kube-apiserver names a manager after the
    /// User-Agent of its client, and the binder runs in kube-controller-manager.
    static let controllerManager = "kube-controller-manager"
}
