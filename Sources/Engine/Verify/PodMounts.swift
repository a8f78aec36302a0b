import Document
import Kube

/// Who uses a volume, as the cluster says: its pods with the claims and host paths they mount, and
/// the PersistentVolumes with the host path each one is and the claim bound to it. `bootstrap
/// verify` asks whether a Running pod mounts a claim; `--recopy` refuses while a running workload
/// mounts the copy's target.
public struct PodMounts: Sendable {
    /// A pod and what it mounts (`spec.volumes`: `persistentVolumeClaim.claimName`, `hostPath.path`).
    public struct Pod: Sendable {
        public var namespace: String
        public var name: String
        /// `status.phase`: Pending, Running, Succeeded, Failed.
        public var phase: String
        /// Claims in the pod's namespace.
        public var claims: [String]
        public var hostPaths: [String]
        /// The controller's `ownerReferences` entry (kind and name), nil for a bare pod.
        public var controller: (kind: String, name: String)?
        public var isRunning: Bool { phase == "Running" }
    }

    /// A PersistentVolume backed by a host path (`local.path` or `hostPath.path`) and its claim.
    public struct Volume: Sendable {
        public var name: String
        public var path: String?
        public var claim: (namespace: String, name: String)?
    }

    public var pods: [Pod]
    public var volumes: [Volume]

    public init(pods: [Pod], volumes: [Volume]) {
        self.pods = pods
        self.volumes = volumes
    }

    /// Every pod and PersistentVolume of the cluster.
    public static func read(_ kube: KubeClient) async throws -> PodMounts {
        let pods = try await kube.list(apiVersion: "v1", kind: "Pod", namespace: nil, labelSelector: nil).map { pod in
            let volumes = pod[path: ["spec", "volumes"]]?.arrayValue ?? []
            let owner = (pod[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).first { $0["controller"]?.boolValue == true }
            return Pod(namespace: pod[path: ["metadata", "namespace"]]?.stringValue ?? "",
                       name: pod[path: ["metadata", "name"]]?.stringValue ?? "",
                       phase: pod[path: ["status", "phase"]]?.stringValue ?? "Pending",
                       claims: volumes.compactMap { $0[path: ["persistentVolumeClaim", "claimName"]]?.stringValue },
                       hostPaths: volumes.compactMap { $0[path: ["hostPath", "path"]]?.stringValue },
                       controller: owner.map { ($0["kind"]?.stringValue ?? "", $0["name"]?.stringValue ?? "") })
        }
        let volumes = try await kube.list(apiVersion: "v1", kind: "PersistentVolume", namespace: nil, labelSelector: nil).map { pv in
            let ref = pv[path: ["spec", "claimRef"]]
            return Volume(name: pv[path: ["metadata", "name"]]?.stringValue ?? "",
                          path: pv[path: ["spec", "local", "path"]]?.stringValue ?? pv[path: ["spec", "hostPath", "path"]]?.stringValue,
                          claim: ref.flatMap { ref in
                              ref["name"]?.stringValue.map { (ref["namespace"]?.stringValue ?? "", $0) }
                          })
        }
        return PodMounts(pods: pods, volumes: volumes)
    }

    /// The Running pods that mount this claim.
    public func running(mounting claim: String, in namespace: String) -> [Pod] {
        pods.filter { $0.isRunning && $0.namespace == namespace && $0.claims.contains(claim) }
    }

    /// The Running pods that mount `path`, a directory above it or one below it: through a claim
    /// bound to a PersistentVolume at such a path, or a hostPath volume. Each with how it mounts it.
    public func running(mountingHostPath path: String) -> [(pod: Pod, via: String)] {
        let claims = volumes.filter { $0.path.map { Self.overlap($0, path) } ?? false }.compactMap { volume in
            volume.claim.map { (namespace: $0.namespace, name: $0.name) }
        }
        var found: [(pod: Pod, via: String)] = []
        for pod in pods where pod.isRunning {
            if let claim = claims.first(where: { $0.namespace == pod.namespace && pod.claims.contains($0.name) }) {
                found.append((pod, "claim \(claim.namespace)/\(claim.name)"))
            } else if let hostPath = pod.hostPaths.first(where: { Self.overlap($0, path) }) {
                found.append((pod, "hostPath \(hostPath)"))
            }
        }
        return found
    }

    /// Whether one path is the other or contains it.
    static func overlap(_ a: String, _ b: String) -> Bool {
        let a = a.hasSuffix("/") ? a : a + "/", b = b.hasSuffix("/") ? b : b + "/"
        return a.hasPrefix(b) || b.hasPrefix(a)
    }
}

/// A workload that runs pods: what `--recopy` names and asks to scale to 0.
public struct RunningWorkload: Sendable, Hashable, CustomStringConvertible {
    public var kind: String
    public var namespace: String
    public var name: String
    /// `spec.replicas` (nil for a DaemonSet or a bare pod).
    public var replicas: Int?
    public var description: String { "\(kind) \(namespace)/\(name)" }

    /// The workload a pod belongs to, following a ReplicaSet to its Deployment; the pod itself
    /// when it has no controller.
    public static func of(_ pod: PodMounts.Pod, _ kube: KubeClient) async throws -> RunningWorkload {
        guard var owner = pod.controller else { return RunningWorkload(kind: "Pod", namespace: pod.namespace, name: pod.name, replicas: nil) }
        var object: Value? = nil
        if owner.kind == "ReplicaSet", let set = try await kube.get(ObjectRef(apiVersion: "apps/v1", kind: "ReplicaSet", namespace: pod.namespace, name: owner.name)) {
            object = set
            if let parent = (set[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).first(where: { $0["controller"]?.boolValue == true }),
               parent["kind"]?.stringValue == "Deployment", let name = parent["name"]?.stringValue {
                owner = ("Deployment", name)
                object = nil
            }
        }
        if object == nil, ["Deployment", "StatefulSet", "DaemonSet"].contains(owner.kind) {
            object = try await kube.get(ObjectRef(apiVersion: "apps/v1", kind: owner.kind, namespace: pod.namespace, name: owner.name))
        }
        return RunningWorkload(kind: owner.kind, namespace: pod.namespace, name: owner.name, replicas: object?[path: ["spec", "replicas"]]?.intValue)
    }
}
