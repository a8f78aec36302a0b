import Document

// How a Deployment replaces its pod: one decision, in one place. Every rule that needs the old pod
// gone before the new one starts adds its reason to `recreateReasons`; the Deployment then uses
// `Recreate`, otherwise Kubernetes' default `RollingUpdate` (new pod first).
extension AppWorkload {
    /// Why this workload's old pod must stop before its new one starts; empty for RollingUpdate.
    ///
    /// A host port: on one node the surge pod asks for the port the old pod holds, so the scheduler
    /// leaves it Pending ("didn't have free ports for the requested pod ports", kube-scheduler's
    /// NodePorts filter) and the rollout never finishes. The traefik.acme step's Recreate has the
    /// same cause.
    static func recreateReasons(_ p: Parameters) -> [String] {
        var reasons: [String] = []
        let hostPorts = (p.ports ?? []).compactMap(\.hostPort)
        if !hostPorts.isEmpty {
            reasons.append("host port\(hostPorts.count == 1 ? "" : "s") \(hostPorts.map(String.init).joined(separator: ", ")): "
                + "a second pod cannot bind \(hostPorts.count == 1 ? "it" : "them") while the first runs")
        }
        return reasons
    }

    /// The Deployment's `spec.strategy`, or nil for the API server's default (RollingUpdate).
    /// StatefulSets and Jobs need none: a StatefulSet replaces its one pod after stopping it.
    var deploymentStrategy: Value? {
        guard p.kindChoice == .Deployment, !Self.recreateReasons(p).isEmpty else { return nil }
        return ["type": "Recreate"]
    }
}
