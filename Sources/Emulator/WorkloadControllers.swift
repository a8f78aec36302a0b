import Document

/// What a rehearsal or a test makes an image do, so the failure paths of a rollout can be run.
public enum ImageFault: String, Sendable, CaseIterable {
    /// The kubelet cannot pull it: the container waits in ImagePullBackOff.
    case pull
    /// It starts and exits 1 over and over: CrashLoopBackOff, the last log lines as termination message.
    case crash
    /// No node fits its pods: PodScheduled False, reason Unschedulable.
    case unschedulable
    /// It runs, but its readiness probe fails: never Ready, an Unhealthy event.
    case unready
}

// The Deployment, ReplicaSet, StatefulSet and Job controllers, reduced to what a rollout shows. Like
// the other controllers they act synchronously after each write; pods are Ready at once (no
// kubelet), unless their image has a fault; a crashing one follows the kubelet's loop in the
// emulator's time (CrashLoop.swift). Field names and meanings follow
// pkg/controller/deployment (sync.go: syncRolloutStatus/calculateStatus; the new ReplicaSet is
// named <deployment>-<pod-template-hash> and carries the deployment.kubernetes.io/revision
// annotation), pkg/controller/statefulset (stateful_set_utils.go: pods <name>-<ordinal> labelled
// controller-revision-hash; status currentRevision/updateRevision, currentReplicas/updatedReplicas)
// and pkg/controller/job (job_controller.go: pods labelled batch.kubernetes.io/job-name, status
// active/succeeded/failed, conditions Complete or Failed with reason BackoffLimitExceeded).
extension Store {
    static let podType = BuiltIn.type(kind: "Pod", group: "")!
    static let replicaSetType = BuiltIn.type(kind: "ReplicaSet", group: "apps")!
    static let deploymentType = BuiltIn.type(kind: "Deployment", group: "apps")!
    static let statefulSetType = BuiltIn.type(kind: "StatefulSet", group: "apps")!
    static let eventType = BuiltIn.type(kind: "Event", group: "")!

    /// A short, stable hash of a pod template, as a label value.
    static func templateHash(_ template: Value) -> String {
        String(stableHash(JSON.encode(template, options: .sortedKeys)) % 0xFFFF_FFFF_FF, radix: 36)
    }

    static func owner(_ object: Value, kind: String, apiVersion: String) -> Value {
        [["apiVersion": .string(apiVersion), "kind": .string(kind), "name": object[path: ["metadata", "name"]] ?? "",
          "uid": object[path: ["metadata", "uid"]] ?? "", "controller": true, "blockOwnerDeletion": true]]
    }

    func owned(_ t: ResourceType, ns: String, by owner: Value) -> [Value] {
        let uid = owner[path: ["metadata", "uid"]]
        return (objects[t.storageKey] ?? [:]).filter { $0.key.hasPrefix("\(ns)/") }.map(\.value)
            .filter { ($0[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains { $0["uid"] == uid } }
            .sorted { ($0[path: ["metadata", "name"]]?.stringValue ?? "") < ($1[path: ["metadata", "name"]]?.stringValue ?? "") }
    }

    mutating func reconcileWorkload(_ t: ResourceType, _ workload: Value) {
        switch t.kind {
        case "Deployment": reconcileDeployment(workload)
        case "ReplicaSet": reconcileReplicaSet(workload)
        case "StatefulSet": reconcileStatefulSet(workload)
        case "Job": reconcileJob(workload)
        default: break
        }
    }

    // MARK: Pods

    /// A pod from a template, its status as the kubelet would report it for the image's fault.
    mutating func makePod(name: String, ns: String, template: Value, labels extra: [(String, Value)], owner: Value, job: Bool) -> Value {
        var metadata = template["metadata"]?.objectValue ?? Object()
        var labels = metadata["labels"]?.objectValue ?? Object()
        for (k, v) in extra { labels[k] = v }
        metadata["labels"] = .object(labels)
        metadata["name"] = .string(name)
        metadata["namespace"] = .string(ns)
        metadata["ownerReferences"] = owner
        var spec = template["spec"] ?? [:]
        spec["nodeName"] = .string(nodeName)
        let images = (spec["containers"]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
        if !job, images.contains(where: { imageFaults[$0] == .crash }) { crashStarts[Self.key(ns, name)] = kubeletClock() }
        var pod: Value = ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": spec]
        pod["status"] = podStatus(spec, job: job, podName: name, ns: ns)
        put(Self.podType, pod)
        return object(Self.podType, ns, name) ?? pod
    }

    mutating func podStatus(_ spec: Value, job: Bool, podName: String, ns: String) -> Value {
        let now = Timestamp.now()
        let containers = spec["containers"]?.arrayValue ?? []
        let faults = containers.compactMap { imageFaults[$0["image"]?.stringValue ?? ""] }
        let fault = faults.first
        func condition(_ type: String, _ ok: Bool, reason: String? = nil, message: String? = nil) -> Value {
            var c: Value = ["type": .string(type), "status": ok ? "True" : "False", "lastTransitionTime": .string(now)]
            if let reason { c["reason"] = .string(reason) }
            if let message { c["message"] = .string(message) }
            return c
        }
        if fault == .unschedulable {
            return ["phase": "Pending", "conditions": [condition("PodScheduled", false, reason: "Unschedulable",
                message: "0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.")]]
        }
        var statuses: [Value] = []
        var phase = job ? "Succeeded" : "Running"
        var ready = !job
        for c in containers {
            let name = c["name"] ?? "", image = c["image"] ?? ""
            var s: Value = ["name": name, "image": image, "imageID": "", "restartCount": 0, "started": true, "ready": .bool(!job)]
            switch imageFaults[image.stringValue ?? ""] {
            case .pull?:
                s["state"] = ["waiting": ["reason": "ImagePullBackOff", "message": .string("Back-off pulling image \"\(image.stringValue ?? "")\"")]]
                s["ready"] = false; s["started"] = false
                phase = "Pending"; ready = false
            case .crash? where job:
                let log = "starting \(name.stringValue ?? "")\n" + CrashLoop.log
                s["state"] = ["terminated": ["exitCode": 1, "reason": "Error", "message": .string(log), "startedAt": .string(now), "finishedAt": .string(now)]]
                s["ready"] = false; s["started"] = false
                phase = "Failed"; ready = false
            case .crash?:
                let loop = CrashLoop(elapsed: crashStarts[Self.key(ns, podName)].map { kubeletClock() - $0 } ?? .zero)
                let (status, up) = loop.status(container: c, podName: podName, now: now)
                s = status
                ready = ready && up
            case .unready?:
                s["state"] = ["running": ["startedAt": .string(now)]]
                s["ready"] = false
                ready = false
                put(Self.eventType, [
                    "apiVersion": "v1", "kind": "Event",
                    "metadata": ["name": .string("\(podName).\(randomSuffix())"), "namespace": .string(ns)],
                    "involvedObject": ["kind": "Pod", "namespace": .string(ns), "name": .string(podName), "apiVersion": "v1"],
                    "reason": "Unhealthy", "type": "Warning",
                    "message": "Readiness probe failed: HTTP probe failed with statuscode: 503",
                ])
            default:
                s["state"] = job ? ["terminated": ["exitCode": 0, "reason": "Completed", "startedAt": .string(now), "finishedAt": .string(now)]]
                                 : ["running": ["startedAt": .string(now)]]
            }
            statuses.append(s)
        }
        return [
            "phase": .string(phase), "startTime": .string(now), "hostIP": "10.0.0.1", "podIP": "10.42.0.10",
            "conditions": [condition("PodScheduled", true), condition("Initialized", true),
                           condition("ContainersReady", ready), condition("Ready", ready)],
            "containerStatuses": .array(statuses),
        ]
    }

    static func isReady(_ pod: Value) -> Bool {
        (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
    }

    mutating func removePods(_ pods: [Value]) {
        for pod in pods {
            crashStarts[Self.key(pod[path: ["metadata", "namespace"]]?.stringValue, pod[path: ["metadata", "name"]]?.stringValue ?? "")] = nil
            remove(Self.podType, pod[path: ["metadata", "namespace"]]?.stringValue, pod[path: ["metadata", "name"]]?.stringValue ?? "")
        }
    }

    // MARK: ReplicaSet

    mutating func reconcileReplicaSet(_ rs: Value) {
        let ns = rs[path: ["metadata", "namespace"]]?.stringValue ?? "default"
        let name = rs[path: ["metadata", "name"]]?.stringValue ?? ""
        let want = rs[path: ["spec", "replicas"]]?.intValue ?? 1
        var pods = owned(Self.podType, ns: ns, by: rs)
        if pods.count > want {
            removePods(Array(pods[want...]))
            pods = Array(pods.prefix(want))
        }
        while pods.count < want {
            let template = rs[path: ["spec", "template"]] ?? [:]
            pods.append(makePod(name: "\(name)-\(randomSuffix())", ns: ns, template: template, labels: [],
                                owner: Self.owner(rs, kind: "ReplicaSet", apiVersion: "apps/v1"), job: false))
        }
        let ready = pods.filter(Self.isReady).count
        let status: Value = ["replicas": .int(pods.count), "fullyLabeledReplicas": .int(pods.count), "readyReplicas": .int(ready),
                             "availableReplicas": .int(ready), "observedGeneration": rs[path: ["metadata", "generation"]] ?? 1]
        if rs["status"] != status, var updated = object(Self.replicaSetType, ns, name) {
            updated["status"] = status
            put(Self.replicaSetType, updated)
        }
    }

    // MARK: Deployment

    mutating func reconcileDeployment(_ deployment: Value) {
        let ns = deployment[path: ["metadata", "namespace"]]?.stringValue ?? "default"
        let name = deployment[path: ["metadata", "name"]]?.stringValue ?? ""
        let replicas = deployment[path: ["spec", "replicas"]]?.intValue ?? 1
        let template = deployment[path: ["spec", "template"]] ?? [:]
        let hash = Self.templateHash(template)
        let rsName = "\(name)-\(hash)"
        let all = owned(Self.replicaSetType, ns: ns, by: deployment)
        let revisions = all.compactMap { Int($0[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]]?.stringValue ?? "") }
        if var current = object(Self.replicaSetType, ns, rsName) {
            if current[path: ["spec", "replicas"]]?.intValue != replicas {
                current["spec"]?["replicas"] = .int(replicas)
                put(Self.replicaSetType, current)
            }
        } else {
            var rsTemplate = template
            rsTemplate["metadata"]?["labels"]?["pod-template-hash"] = .string(hash)
            var selector = deployment[path: ["spec", "selector"]] ?? ["matchLabels": [:]]
            selector["matchLabels"]?["pod-template-hash"] = .string(hash)
            var labels = template[path: ["metadata", "labels"]]?.objectValue ?? Object()
            labels["pod-template-hash"] = .string(hash)
            put(Self.replicaSetType, [
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": ["name": .string(rsName), "namespace": .string(ns), "labels": .object(labels), "generation": 1,
                             "annotations": ["deployment.kubernetes.io/revision": .string(String((revisions.max() ?? 0) + 1))],
                             "ownerReferences": Self.owner(deployment, kind: "Deployment", apiVersion: "apps/v1")],
                "spec": ["replicas": .int(replicas), "selector": selector, "template": rsTemplate],
            ])
        }
        if let created = object(Self.replicaSetType, ns, rsName) { reconcileReplicaSet(created) }
        let newRS = object(Self.replicaSetType, ns, rsName)
        let newAvailable = newRS?[path: ["status", "availableReplicas"]]?.intValue ?? 0
        // A rolling update: old ReplicaSets are scaled down once the new one is available.
        if newAvailable >= replicas {
            for var old in owned(Self.replicaSetType, ns: ns, by: deployment) where old[path: ["metadata", "name"]]?.stringValue != rsName {
                if old[path: ["spec", "replicas"]]?.intValue != 0 {
                    old["spec"]?["replicas"] = 0
                    put(Self.replicaSetType, old)
                    if let o = object(Self.replicaSetType, ns, old[path: ["metadata", "name"]]?.stringValue ?? "") { reconcileReplicaSet(o) }
                }
            }
        }
        let sets = owned(Self.replicaSetType, ns: ns, by: deployment)
        func sum(_ key: String) -> Int { sets.reduce(0) { $0 + ($1[path: ["status", key]]?.intValue ?? 0) } }
        let updated = newRS?[path: ["status", "replicas"]]?.intValue ?? 0
        let available = sum("availableReplicas")
        let total = sum("replicas")
        let now = Timestamp.now()
        let complete = updated == replicas && total == replicas && available >= replicas
        var status: Value = [
            "observedGeneration": deployment[path: ["metadata", "generation"]] ?? 1,
            "replicas": .int(total), "updatedReplicas": .int(updated), "readyReplicas": .int(sum("readyReplicas")),
            "availableReplicas": .int(available),
            "conditions": [
                ["type": "Available", "status": available >= replicas ? "True" : "False",
                 "reason": available >= replicas ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                 "message": available >= replicas ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                 "lastUpdateTime": .string(now), "lastTransitionTime": .string(now)],
                ["type": "Progressing", "status": "True",
                 "reason": complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                 "message": .string(complete ? "ReplicaSet \"\(rsName)\" has successfully progressed." : "ReplicaSet \"\(rsName)\" is progressing."),
                 "lastUpdateTime": .string(now), "lastTransitionTime": .string(now)],
            ],
        ]
        if total - available > 0 { status["unavailableReplicas"] = .int(total - available) }
        guard var live = object(Self.deploymentType, ns, name) else { return }
        // The Deployment carries its newest ReplicaSet's revision too (what `kubectl rollout history` reads).
        let revision = newRS?[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]] ?? "1"
        let annotated = live[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]] == revision
        // Conditions keep their times while nothing about them changes.
        if annotated, let old = live["status"], Self.withoutTimes(old) == Self.withoutTimes(status) { return }
        if !annotated {
            var annotations = live[path: ["metadata", "annotations"]]?.objectValue ?? Object()
            annotations["deployment.kubernetes.io/revision"] = revision
            live["metadata"]?["annotations"] = .object(annotations)
        }
        live["status"] = status
        put(Self.deploymentType, live)
    }

    static func withoutTimes(_ status: Value) -> Value {
        var s = status
        s["conditions"] = .array((status["conditions"]?.arrayValue ?? []).map { c in
            var c = c
            c["lastUpdateTime"] = nil
            c["lastTransitionTime"] = nil
            return c
        })
        return s
    }

    // MARK: StatefulSet

    mutating func reconcileStatefulSet(_ set: Value) {
        let ns = set[path: ["metadata", "namespace"]]?.stringValue ?? "default"
        let name = set[path: ["metadata", "name"]]?.stringValue ?? ""
        let replicas = set[path: ["spec", "replicas"]]?.intValue ?? 1
        let template = set[path: ["spec", "template"]] ?? [:]
        let revision = "\(name)-\(Self.templateHash(template))"
        let previous = set[path: ["status", "currentRevision"]]?.stringValue
        func ordinal(_ pod: Value) -> Int { Int(pod[path: ["metadata", "name"]]?.stringValue?.split(separator: "-").last ?? "") ?? 0 }
        func stale(_ pod: Value) -> Bool { pod[path: ["metadata", "labels", "controller-revision-hash"]]?.stringValue != revision }
        removePods(owned(Self.podType, ns: ns, by: set).filter { ordinal($0) >= replicas })
        func create(_ ordinal: Int) -> Value {
            let podName = "\(name)-\(ordinal)"
            return makePod(name: podName, ns: ns, template: template,
                           labels: [("controller-revision-hash", .string(revision)), ("statefulset.kubernetes.io/pod-name", .string(podName)),
                                    ("apps.kubernetes.io/pod-index", .string(String(ordinal)))],
                           owner: Self.owner(set, kind: "StatefulSet", apiVersion: "apps/v1"), job: false)
        }
        // OrderedReady: pod N is created once pods 0..N-1 are Ready.
        var blocked = false
        for n in 0..<replicas {
            let pod = object(Self.podType, ns, "\(name)-\(n)") ?? create(n)
            if !Self.isReady(pod) { blocked = true; break }
        }
        // RollingUpdate: the highest ordinal of an old revision is replaced first, one at a time,
        // each only while every pod is Ready (stateful_set_control.go, updateStatefulSet).
        while !blocked, let oldest = owned(Self.podType, ns: ns, by: set).filter(stale).max(by: { ordinal($0) < ordinal($1) }) {
            removePods([oldest])
            if !Self.isReady(create(ordinal(oldest))) { blocked = true }
        }
        let pods = owned(Self.podType, ns: ns, by: set)
        let ready = pods.filter(Self.isReady).count
        let updated = pods.filter { $0[path: ["metadata", "labels", "controller-revision-hash"]]?.stringValue == revision }.count
        // currentRevision moves to updateRevision once every replica is updated and Ready
        // (pkg/controller/statefulset: completeRollingUpdate).
        let current = (updated == replicas && ready == replicas) ? revision : (previous ?? revision)
        let status: Value = [
            "observedGeneration": set[path: ["metadata", "generation"]] ?? 1,
            "replicas": .int(pods.count), "readyReplicas": .int(ready), "availableReplicas": .int(ready),
            "currentReplicas": .int(current == revision ? updated : pods.count - updated), "updatedReplicas": .int(updated),
            "currentRevision": .string(current), "updateRevision": .string(revision), "collisionCount": 0,
        ]
        guard var live = object(Self.statefulSetType, ns, name), live["status"] != status else { return }
        live["status"] = status
        put(Self.statefulSetType, live)
    }

    // MARK: Job

    mutating func reconcileJob(_ job: Value) {
        let ns = job[path: ["metadata", "namespace"]]?.stringValue ?? "default"
        let name = job[path: ["metadata", "name"]]?.stringValue ?? ""
        // helm-controller's install Jobs are finished by runHelmJob; others run their pod.
        if (job[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains(where: { $0["kind"]?.stringValue == "HelmChart" }) {
            if job[path: ["status", "conditions"]] == nil { finishJob(job, failure: nil) }
            return
        }
        guard job[path: ["status", "conditions"]] == nil else { return }
        let template = job[path: ["spec", "template"]] ?? [:]
        let uid = job[path: ["metadata", "uid"]] ?? ""
        var pods = owned(Self.podType, ns: ns, by: job)
        if pods.isEmpty {
            pods = [makePod(name: "\(name)-\(randomSuffix())", ns: ns, template: template,
                            labels: [("batch.kubernetes.io/job-name", .string(name)), ("job-name", .string(name)),
                                     ("batch.kubernetes.io/controller-uid", uid), ("controller-uid", uid)],
                            owner: Self.owner(job, kind: "Job", apiVersion: "batch/v1"), job: true)]
        }
        let phase = pods.first?[path: ["status", "phase"]]?.stringValue
        guard var live = object(BuiltIn.job, ns, name) else { return }
        let now = Timestamp.now()
        // With JobPodReplacementPolicy (beta and on since 1.29) the controller first writes the interim
        // condition, SuccessCriteriaMet or FailureTarget, then the terminal one once no pod is left
        // running (pkg/controller/job/job_controller.go: delayTerminalCondition).
        func condition(_ type: String, reason: String?, message: String?) -> Value {
            var c: Value = ["type": .string(type), "status": "True", "lastProbeTime": .string(now), "lastTransitionTime": .string(now)]
            if let reason { c["reason"] = .string(reason) }
            if let message { c["message"] = .string(message) }
            return c
        }
        switch phase {
        case "Succeeded":
            live["status"] = [
                "succeeded": 1, "ready": 0, "startTime": .string(now), "completionTime": .string(now), "uncountedTerminatedPods": [:],
                "conditions": [condition("SuccessCriteriaMet", reason: "CompletionsReached", message: "Reached expected number of succeeded pods"),
                               condition("Complete", reason: "CompletionsReached", message: "Reached expected number of succeeded pods")],
            ]
            put(BuiltIn.job, live)
        case "Failed":
            let message = "Job has reached the specified backoff limit"
            live["status"] = [
                "failed": 1, "ready": 0, "startTime": .string(now), "uncountedTerminatedPods": [:],
                "conditions": [condition("FailureTarget", reason: "BackoffLimitExceeded", message: message),
                               condition("Failed", reason: "BackoffLimitExceeded", message: message)],
            ]
            put(BuiltIn.job, live)
        default:
            let status: Value = ["active": .int(pods.count), "startTime": .string(now)]
            if live[path: ["status", "active"]] != status["active"] {
                live["status"] = status
                put(BuiltIn.job, live)
            }
        }
    }
}

// The API server's service proxy, reduced to whether a ready pod answers: 200 when one behind the
// Service is Ready, 503 "no endpoints available for service" otherwise, as kube-apiserver's
// ResourceLocation for services says it (pkg/registry/core/service/storage/storage.go).
extension Store {
    /// `GET /api/v1/namespaces/NS/services/NAME[:PORT]/proxy/...`, or nil for any other path.
    func serviceProxy(_ parts: [String]) throws(APIError) -> Route? {
        guard parts.count >= 7, parts[0] == "api", parts[1] == "v1", parts[2] == "namespaces", parts[4] == "services", parts[6] == "proxy" else {
            return nil
        }
        let ns = parts[3]
        let name = String(parts[5].split(separator: ":").first ?? "")
        let serviceType = BuiltIn.type(kind: "Service", group: "")!
        guard let service = object(serviceType, ns, name) else { throw .notFound(serviceType, name) }
        let selector = service[path: ["spec", "selector"]]?.objectValue ?? Object()
        let ready = (objects[Self.podType.storageKey] ?? [:]).filter { $0.key.hasPrefix("\(ns)/") }.map(\.value).contains { pod in
            !selector.isEmpty && selector.allSatisfy { pod[path: ["metadata", "labels", $0.key]] == $0.value } && Self.isReady(pod)
        }
        guard ready else {
            throw APIError(code: 503, reason: "ServiceUnavailable", message: "no endpoints available for service \"\(name)\"")
        }
        return .text("ok")
    }
}

extension Store {
    /// The kubelet retrying: pods that failed for an image fault no longer in force start (a
    /// restarted rehearsal, or a fault taken back), and their controllers take note.
    mutating func kubeletPass() {
        var healed: Set<String> = []
        for (_, pod) in objects[Self.podType.storageKey] ?? [:] where !Self.isReady(pod) {
            let phase = pod[path: ["status", "phase"]]?.stringValue
            if phase == "Succeeded" || phase == "Failed" { continue }
            let images = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
            guard images.allSatisfy({ imageFaults[$0] == nil }) else { continue }
            var fresh = pod
            fresh["status"] = podStatus(pod["spec"] ?? [:], job: false, podName: pod[path: ["metadata", "name"]]?.stringValue ?? "",
                                        ns: pod[path: ["metadata", "namespace"]]?.stringValue ?? "default")
            put(Self.podType, fresh)
            for owner in pod[path: ["metadata", "ownerReferences"]]?.arrayValue ?? [] { healed.insert(owner["uid"]?.stringValue ?? "") }
        }
        reconcileOwners(healed)
    }

    /// The controllers of pods whose status the kubelet changed (by owner uid) take note.
    mutating func reconcileOwners(_ uids: Set<String>) {
        guard !uids.isEmpty else { return }
        for (_, set) in objects[Self.replicaSetType.storageKey] ?? [:] where uids.contains(set[path: ["metadata", "uid"]]?.stringValue ?? "") {
            reconcileReplicaSet(set)
            for owner in set[path: ["metadata", "ownerReferences"]]?.arrayValue ?? [] where owner["kind"] == "Deployment" {
                if let deployment = object(Self.deploymentType, set[path: ["metadata", "namespace"]]?.stringValue, owner["name"]?.stringValue ?? "") {
                    reconcileDeployment(deployment)
                }
            }
        }
        for (_, set) in objects[Self.statefulSetType.storageKey] ?? [:] where uids.contains(set[path: ["metadata", "uid"]]?.stringValue ?? "") {
            reconcileStatefulSet(set)
        }
    }
}
