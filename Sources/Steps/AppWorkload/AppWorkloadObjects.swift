import Platform
import Document
import Engine
import FoundationEssentials
import Kube

// The objects of one workload, in the order they are applied: what the pods need exists before the
// pods do.
extension AppWorkload {
    static let checksumAnnotation = "bootstrap.faforever.com/config-checksum"
    static let templateAnnotation = "bootstrap.faforever.com/template-hash"
    static let nameLabel = "app.kubernetes.io/name"

    var p: Parameters { parameters }
    var selector: Value { .object(Object([(Self.nameLabel, .string(p.name))])) }

    /// Environment in the ConfigMap: env files in order, then `env` (compose: `environment` wins over `env_file`).
    var plainEnv: [(String, String)] {
        var merged: [(String, String)] = []
        func set(_ name: String, _ value: String) {
            if let i = merged.firstIndex(where: { $0.0 == name }) { merged[i].1 = value } else { merged.append((name, value)) }
        }
        for file in p.envFiles ?? [] {
            for entry in EnvFile.parse(file.content ?? "") where entry.problem == nil { set(entry.name, entry.value) }
        }
        for (name, value) in (p.env ?? [:]).sorted(by: { $0.key < $1.key }) { set(name, Self.envText(value) ?? "") }
        // secretEnv wins: the name is then only in the Secret.
        return merged.filter { p.secretEnv?[$0.0] == nil }
    }

    var sortedFiles: [(path: String, file: File)] { (p.files ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    var plainFiles: [(path: String, file: File)] { sortedFiles.filter { $0.file.secret == nil } }
    var secretFiles: [(path: String, file: File)] { sortedFiles.filter { $0.file.secret != nil } }

    var configData: Object {
        var data = Object()
        for (name, value) in plainEnv { data[name] = .string(value) }
        for (path, file) in plainFiles {
            data[Self.fileKey(path)] = .string(file.from?.content ?? file.content?.stringValue ?? "")
        }
        return data
    }

    /// The Secret's data, base64-encoded and still sensitive.
    var secretData: Object {
        var data = Object()
        for (name, value) in (p.secretEnv ?? [:]).sorted(by: { $0.key < $1.key }) {
            data[name] = .sensitive(value.map { Data($0.utf8).base64EncodedString() })
        }
        for (path, file) in secretFiles {
            if let secret = file.secret { data[Self.fileKey(path)] = .sensitive(secret.map { Data($0.utf8).base64EncodedString() }) }
        }
        return data
    }

    func metadata(_ name: String? = nil, namespace: String? = nil) -> Value {
        ["name": .string(name ?? p.name), "namespace": .string(namespace ?? p.namespace), "labels": selector]
    }

    var serviceAccount: Value {
        ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata(), "automountServiceAccountToken": false]
    }

    var configMap: Value? {
        configData.isEmpty ? nil : ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata(), "data": .object(configData)]
    }

    var secret: Value? {
        secretData.isEmpty ? nil : ["apiVersion": "v1", "kind": "Secret", "metadata": metadata(), "type": "Opaque", "data": .object(secretData)]
    }

    var servicePorts: [Value] {
        (p.ports ?? []).map { port in
            ["name": .string(port.name), "port": .int(port.port), "targetPort": .int(port.containerPort), "protocol": .string(port.protocolName)]
        }
    }

    var service: Value? {
        guard !(p.ports ?? []).isEmpty else { return nil }
        return ["apiVersion": "v1", "kind": "Service", "metadata": metadata(),
                "spec": ["type": "ClusterIP", "selector": selector, "ports": .array(servicePorts)]]
    }

    /// The cluster DNS name of the workload's Service.
    var serviceHost: String { "\(p.name).\(p.namespace).svc.cluster.local" }

    /// An ExternalName Service per alias: the name resolves to the workload's Service (a CNAME).
    var aliasServices: [Value] {
        (p.aliases ?? []).map { alias in
            ["apiVersion": "v1", "kind": "Service", "metadata": metadata(alias.name ?? p.name, namespace: alias.namespace ?? p.namespace),
             "spec": ["type": "ExternalName", "externalName": .string(serviceHost), "ports": .array(servicePorts)]]
        }
    }

    /// A digest of the ConfigMap's and the Secret's data under the ledger key: it changes with the
    /// configuration, so pods roll, and never holds a plain hash of a secret. Nil while the ledger
    /// key does not exist yet (a plan before the first apply).
    func checksum(_ digester: Digester) -> String? {
        digester.digest(type: Self.type + "/config", version: 1,
                        parameters: ["configMap": .object(configData), "secret": .object(secretData)])
    }

    func probe(_ probe: Probe) -> Value {
        var out = Object()
        func port(_ text: String) -> Value { Int(text).map { .int($0) } ?? .string(text) }
        if let http = probe.http { out["httpGet"] = ["path": .string(http.path), "port": port(http.port)] }
        if let tcp = probe.tcp { out["tcpSocket"] = ["port": port(tcp.port)] }
        if let exec = probe.exec { out["exec"] = ["command": .array(exec.command.map { .string($0) })] }
        if let v = probe.initialDelaySeconds { out["initialDelaySeconds"] = .int(v) }
        if let v = probe.periodSeconds { out["periodSeconds"] = .int(v) }
        if let v = probe.timeoutSeconds { out["timeoutSeconds"] = .int(v) }
        if let v = probe.failureThreshold { out["failureThreshold"] = .int(v) }
        return .object(out)
    }

    static func amounts(_ a: ResourceAmounts?) -> Value? {
        var o = Object()
        if let cpu = a?.cpu { o["cpu"] = .string(cpu) }
        if let memory = a?.memory { o["memory"] = .string(memory) }
        return o.isEmpty ? nil : .object(o)
    }

    static func mode(_ text: String?) -> Value? { text.flatMap { Int($0, radix: 8) }.map { .int($0) } }

    var container: Value {
        var c = Object()
        c["name"] = .string(p.name)
        c["image"] = .string(p.image)
        c["imagePullPolicy"] = "IfNotPresent"
        if let command = p.command { c["command"] = .array(command.map { .string($0) }) }
        if let args = p.args { c["args"] = .array(args.map { .string($0) }) }
        if let ports = p.ports, !ports.isEmpty {
            c["ports"] = .array(ports.map { port in
                var out: Value = ["name": .string(port.name), "containerPort": .int(port.containerPort), "protocol": .string(port.protocolName)]
                if let host = port.hostPort { out["hostPort"] = .int(host) }
                return out
            })
        }
        var env: [Value] = plainEnv.map { name, _ in
            ["name": .string(name), "valueFrom": ["configMapKeyRef": ["name": .string(p.name), "key": .string(name)]]]
        }
        for name in (p.secretEnv ?? [:]).keys.sorted() {
            env.append(["name": .string(name), "valueFrom": ["secretKeyRef": ["name": .string(p.name), "key": .string(name)]]])
        }
        if !env.isEmpty { c["env"] = .array(env) }
        var mounts: [Value] = []
        let names = claimVolumeNames
        for (index, mount) in (p.volumes ?? []).enumerated() {
            var m: Value = ["name": .string(names[index]), "mountPath": .string(mount.mountPath)]
            if let sub = mount.subPath { m["subPath"] = .string(sub) }
            if mount.readOnly == true { m["readOnly"] = true }
            mounts.append(m)
        }
        for (path, _) in plainFiles {
            mounts.append(["name": "config", "mountPath": .string(path), "subPath": .string(Self.fileKey(path)), "readOnly": true])
        }
        for (path, _) in secretFiles {
            mounts.append(["name": "secret", "mountPath": .string(path), "subPath": .string(Self.fileKey(path)), "readOnly": true])
        }
        if !mounts.isEmpty { c["volumeMounts"] = .array(mounts) }
        if let readiness = p.probes?.readiness { c["readinessProbe"] = probe(readiness) }
        if let liveness = p.probes?.liveness { c["livenessProbe"] = probe(liveness) }
        if let startup = p.probes?.startup { c["startupProbe"] = probe(startup) }
        var resources = Object()
        if let requests = Self.amounts(p.resources?.requests) { resources["requests"] = requests }
        if let limits = Self.amounts(p.resources?.limits) { resources["limits"] = limits }
        if !resources.isEmpty { c["resources"] = .object(resources) }
        // A failed container's last log lines become its termination message, which the rollout
        // reports (pkg/kubelet/kuberuntime/kuberuntime_container.go: FallbackToLogsOnError).
        c["terminationMessagePolicy"] = "FallbackToLogsOnError"
        return .object(c)
    }

    /// The pod volume of each mount: one per claim, named after the claim's first mount
    /// (`data-<index>`). Two pod volumes on one claim never both mount: the kubelet waits for the
    /// second until the pod's mount timeout, and the pod stays ContainerCreating (seen on the
    /// test node, 1.20; still so in current Kubernetes: kubernetes/kubernetes#127004).
    var claimVolumeNames: [String] {
        let mounts = p.volumes ?? []
        return mounts.indices.map { index in "data-\(mounts.firstIndex { $0.claim == mounts[index].claim } ?? index)" }
    }

    var podVolumes: [Value] {
        var volumes: [Value] = []
        let mounts = p.volumes ?? [], names = claimVolumeNames
        for (index, mount) in mounts.enumerated() where names[index] == "data-\(index)" {
            var claim: Value = ["claimName": .string(mount.claim)]
            // Read-only as a whole only when every mount of the claim is; each mount says its own.
            if mounts.allSatisfy({ $0.claim != mount.claim || $0.readOnly == true }) { claim["readOnly"] = true }
            volumes.append(["name": .string(names[index]), "persistentVolumeClaim": claim])
        }
        func items(_ files: [(path: String, file: File)]) -> Value {
            .array(files.map { path, file in
                var item: Value = ["key": .string(Self.fileKey(path)), "path": .string(Self.fileKey(path))]
                if let mode = Self.mode(file.mode) { item["mode"] = mode }
                return item
            })
        }
        if !plainFiles.isEmpty { volumes.append(["name": "config", "configMap": ["name": .string(p.name), "items": items(plainFiles)]]) }
        if !secretFiles.isEmpty {
            volumes.append(["name": "secret", "secret": ["secretName": .string(p.name), "items": items(secretFiles),
                                                         "defaultMode": .int(Self.defaultSecretFileMode)]])
        }
        return volumes
    }

    /// The pod template; its annotations carry the configuration's checksum and the template's own
    /// hash, which the rollout uses to tell this revision's pods from older ones.
    func podTemplate(checksum: String) -> Value {
        var spec = Object()
        spec["serviceAccountName"] = .string(p.name)
        spec["automountServiceAccountToken"] = false
        spec["enableServiceLinks"] = false
        if let user = p.user {
            let parts = user.split(separator: ":").compactMap { Int($0) }
            var security: Value = ["runAsUser": .int(parts[0]), "runAsNonRoot": .bool(parts[0] != 0)]
            if parts.count > 1 { security["runAsGroup"] = .int(parts[1]); security["fsGroup"] = .int(parts[1]) }
            spec["securityContext"] = security
        }
        if p.kindChoice == .Job { spec["restartPolicy"] = "Never" }
        spec["containers"] = [container]
        let volumes = podVolumes
        if !volumes.isEmpty { spec["volumes"] = .array(volumes) }
        var template: Value = ["metadata": ["labels": selector, "annotations": .object(Object([(Self.checksumAnnotation, .string(checksum))]))],
                               "spec": .object(spec)]
        let hash = SHA256.hash(data: Array(JSON.encode(template, options: .sortedKeys).utf8)).prefix(8).hex
        template["metadata"]?["annotations"]?[Self.templateAnnotation] = .string(hash)
        return template
    }

    func workload(checksum: String) -> Value {
        let template = podTemplate(checksum: checksum)
        var spec = Object()
        switch p.kindChoice {
        case .Deployment, .StatefulSet:
            spec["replicas"] = .int(p.replicaCount)
            if p.kindChoice == .StatefulSet { spec["serviceName"] = .string(p.name) }
            if let strategy = deploymentStrategy { spec["strategy"] = strategy }
            spec["selector"] = ["matchLabels": selector]
            spec["template"] = template
        case .Job:
            spec["backoffLimit"] = .int(p.backoffLimit ?? 0)
            spec["template"] = template
        }
        var meta = metadata()
        meta["annotations"] = .object(Object([(Self.templateAnnotation, template[path: ["metadata", "annotations", Self.templateAnnotation]] ?? "")]))
        return ["apiVersion": .string(p.kindChoice == .Job ? "batch/v1" : "apps/v1"), "kind": .string(p.kindChoice.rawValue),
                "metadata": meta, "spec": .object(spec)]
    }

    var workloadRef: ObjectRef {
        ObjectRef(apiVersion: p.kindChoice == .Job ? "batch/v1" : "apps/v1", kind: p.kindChoice.rawValue, namespace: p.namespace, name: p.name)
    }

    /// Before the ledger key exists (a plan before the first apply), a checksum over secrets cannot
    /// be computed without hashing a secret in the clear.
    static let checksumPending = "known-after-apply"

    public func check(_ context: StepContext) async throws -> ChangeSet {
        var objects: [Value] = [serviceAccount]
        if let configMap { objects.append(configMap) }
        if let secret { objects.append(secret) }
        if let service { objects.append(service) }
        objects += aliasServices
        let workload = workload(checksum: checksum(context.digester) ?? Self.checksumPending)
        objects.append(workload)
        let live = try await context.kube?.get(workloadRef)
        let preparations = live.map { [replacement(of: $0, by: workload), strategySwitch(from: $0)].compactMap { $0 } } ?? []
        return ChangeSet(preparations: preparations, objects: objects)
    }

    /// A Job's pod template cannot change: a changed Job is deleted and created again, and so is a
    /// failed one, so that a re-run after fixing the cause runs it again.
    func replacement(of live: Value, by desired: Value) -> ObjectPreparation? {
        guard p.kindChoice == .Job else { return nil }
        let annotation = ["metadata", "annotations", Self.templateAnnotation]
        if live[path: annotation] != desired[path: annotation] {
            return .replace(workloadRef, reason: "its pod template cannot be updated, so the Job is deleted and runs again")
        }
        if case .failed(let why) = Rollout.of(.Job, live) {
            return .replace(workloadRef, reason: "it failed (\(why)), so it is deleted and runs again")
        }
        return nil
    }
}
