import Platform
import Document
import FoundationEssentials

/// What a fresh k3s node has before anyone applies anything, and the CRDs given at start.
extension Store {
    mutating func seed() throws {
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] where object(BuiltIn.namespace, nil, ns) == nil {
            _ = try wrap { () throws(APIError) in try create(BuiltIn.namespace, ns: nil, body: ["metadata": ["name": .string(ns)]], dryRun: false) }
        }
        if object(BuiltIn.node, nil, nodeName) == nil {
            let now = Timestamp.now()
            put(BuiltIn.node, [
                "apiVersion": "v1", "kind": "Node",
                "metadata": [
                    "name": .string(nodeName),
                    "labels": [
                        "kubernetes.io/hostname": .string(nodeName), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                        "node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/master": "true",
                    ],
                ],
                "spec": ["podCIDR": "10.42.0.0/24"],
                "status": [
                    "conditions": [["type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                                    "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now)]],
                    "addresses": [["type": "InternalIP", "address": "127.0.0.1"], ["type": "Hostname", "address": .string(nodeName)]],
                    "capacity": ["cpu": "2", "memory": "4Gi", "pods": "110"],
                    "allocatable": ["cpu": "2", "memory": "4Gi", "pods": "110"],
                    "nodeInfo": ["kubeletVersion": "v1.31.0+k3s1", "operatingSystem": "linux", "architecture": "amd64",
                                 "containerRuntimeVersion": "containerd://1.7.20-k3s1"],
                ],
            ])
        }
        let sc = BuiltIn.type(kind: "StorageClass", group: "storage.k8s.io")!
        if object(sc, nil, "local-path") == nil {
            _ = try wrap { () throws(APIError) in
                try create(sc, ns: nil, body: [
                    "metadata": ["name": "local-path", "annotations": ["storageclass.kubernetes.io/is-default-class": "true"]],
                    "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer",
                ], dryRun: false)
            }
        }
    }

    /// Creates or replaces every CustomResourceDefinition found in the directory's YAML files.
    mutating func loadCRDs(from directory: String) throws {
        let files: [String]
        do { files = try Files.list(directory) } catch {
            throw EmulatorError("cannot read CRD directory \(directory): \(error.reason)")
        }
        for file in files.sorted() where file.hasSuffix(".yaml") || file.hasSuffix(".yml") || file.hasSuffix(".json") {
            let path = PathText.join(directory, file)
            guard let text = (try? Files.read(path)).flatMap({ String(validating: $0, as: UTF8.self) }) else { throw EmulatorError("cannot read \(path)") }
            let docs: [Node]
            do { docs = try YAML.parse(text, file: path) } catch { throw EmulatorError("\(error)") }
            for doc in docs {
                let crd = doc.resolved
                guard crd["kind"]?.stringValue == "CustomResourceDefinition", let name = crd[path: ["metadata", "name"]]?.stringValue else { continue }
                let old = object(BuiltIn.crd, nil, name)
                var body = crd
                body["metadata"]?["resourceVersion"] = nil
                _ = try wrap { () throws(APIError) in try write(BuiltIn.crd, ns: nil, name: name, old: old, new: body, dryRun: false) }
            }
        }
    }

    private func wrap(_ body: () throws(APIError) -> Value) throws -> Value {
        do { return try body() } catch { throw EmulatorError(error.message) }
    }
}
