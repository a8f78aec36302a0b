import Document
import Engine
import Kube

// How a Deployment replaces its pod: one decision, in one place. RollingUpdate, Kubernetes' default,
// starts the new pod before the old one stops; whatever only one pod may hold at a time then has two
// holders. Every rule that needs the old pod gone first adds its reasons to `recreateReasons`; the
// Deployment then uses Recreate.
extension AppWorkload {
    /// Why a Deployment with these host ports must replace its pod with Recreate; empty when it may roll.
    /// On one node the surge pod asks for the port the old pod holds, so the scheduler leaves it
    /// Pending ("didn't have free ports for the requested pod ports", kube-scheduler's NodePorts
    /// filter) and the rollout never finishes. The traefik.acme step's Recreate has the same cause.
    public static func recreateReasons(hostPorts: [Int]) -> [String] {
        guard !hostPorts.isEmpty else { return [] }
        return ["host port\(hostPorts.count == 1 ? "" : "s") \(hostPorts.map(String.init).joined(separator: ", ")): "
            + "a second pod cannot bind \(hostPorts.count == 1 ? "it" : "them") while the first runs"]
    }

    /// Every reason this step's Deployment must use Recreate; empty for a StatefulSet or a Job, and
    /// for a Deployment that may roll. A new rule adds its reasons here.
    var recreateReasons: [String] {
        guard p.kindChoice == .Deployment else { return [] }
        return Self.recreateReasons(hostPorts: (p.ports ?? []).compactMap(\.hostPort))
    }

    /// The Deployment's `spec.strategy`, always written out (StatefulSets and Jobs need none: a
    /// StatefulSet replaces its one pod after stopping it). Written, the server's defaults for
    /// RollingUpdate (apps/v1: 25% and 25%) are bootstrap's under server-side apply, so a later
    /// Recreate removes them; left to the defaulter, nobody owns them, they stay, and the server
    /// refuses Recreate beside them ("spec.strategy.rollingUpdate: Forbidden: may not be specified
    /// when strategy `type` is 'Recreate'", seen on kube-apiserver 1.20).
    var deploymentStrategy: Value? {
        guard p.kindChoice == .Deployment else { return nil }
        if recreateReasons.isEmpty { return ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]] }
        return ["type": "Recreate"]
    }

    /// A Deployment written before bootstrap owned its strategy keeps the defaulter's rollingUpdate,
    /// which server-side apply cannot remove: a merge patch (RFC 7386, null deletes) switches it to
    /// Recreate first.
    func switchToRecreate(_ kube: KubeClient, _ context: StepContext) async throws {
        guard deploymentStrategy?["type"] == "Recreate", let live = try await kube.get(workloadRef),
              live[path: ["spec", "strategy", "rollingUpdate"]] != nil else { return }
        context.progress("Deployment \(p.namespace)/\(p.name): strategy RollingUpdate to Recreate (\(recreateReasons.joined(separator: "; ")))")
        _ = try await kube.mergePatch(workloadRef, patch: ["spec": ["strategy": ["type": "Recreate", "rollingUpdate": nil]]])
    }
}
