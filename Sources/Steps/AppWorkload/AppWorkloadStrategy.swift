import Document
import Engine
import Kube

// When a Deployment's pods must not overlap. RollingUpdate, the default, starts the new pod before
// the old one stops (maxSurge 25% rounds up to one pod, maxUnavailable 25% down to none:
// pkg/controller/deployment/util/deployment_util.go, ResolveFenceposts); whatever only one pod may
// hold at a time then has two holders. This is the one place that rule lives: validation, the
// objects and the importer all ask it, and a new reason is added here.
extension AppWorkload {
    /// Why a Deployment with these writable claims and host ports must use `strategy: Recreate`;
    /// empty when it may roll.
    /// - A writable claim: the old and the new pod would run two processes on one data directory,
    ///   which no database survives (a StatefulSet stops the old pod first and is not asked).
    /// - A host port: on one node the surge pod asks for the port the old pod holds, so the
    ///   scheduler leaves it Pending ("didn't have free ports for the requested pod ports",
    ///   kube-scheduler's NodePorts filter, seen on the real node) and the rollout never finishes.
    ///   The traefik.acme step's Recreate has the same cause.
    public static func recreateReasons(writableClaims: [String], hostPorts: [Int] = []) -> [String] {
        var reasons: [String] = []
        var seen: Set<String> = []
        let claims = writableClaims.filter { seen.insert($0).inserted }
        if !claims.isEmpty {
            reasons.append("its writable claim\(claims.count == 1 ? "" : "s") \(claims.joined(separator: ", ")) would have two writers at once "
                + "(two processes on one data directory)")
        }
        if !hostPorts.isEmpty {
            reasons.append("host port\(hostPorts.count == 1 ? "" : "s") \(hostPorts.map(String.init).joined(separator: ", ")): "
                + "a second pod cannot bind \(hostPorts.count == 1 ? "it" : "them") while the first runs")
        }
        return reasons
    }

    /// ``recreateReasons(writableClaims:hostPorts:)`` for this step; empty for a StatefulSet or a Job.
    var recreateReasons: [String] {
        guard p.kindChoice == .Deployment else { return [] }
        return Self.recreateReasons(writableClaims: (p.volumes ?? []).filter { $0.readOnly != true }.map(\.claim),
                                    hostPorts: (p.ports ?? []).compactMap(\.hostPort))
    }

    /// The Deployment's `spec.strategy`, always written out (StatefulSets and Jobs need none).
    /// Written, the server's defaults for RollingUpdate (apps/v1: 25% and 25%) are bootstrap's under
    /// server-side apply, so a later Recreate removes them; left to the defaulter, nobody owns them,
    /// they stay, and the server refuses Recreate beside them ("spec.strategy.rollingUpdate:
    /// Forbidden: may not be specified when strategy `type` is 'Recreate'", seen on kube-apiserver 1.20).
    var deploymentStrategy: Value? {
        guard p.kindChoice == .Deployment else { return nil }
        if p.strategy == .Recreate { return ["type": "Recreate"] }
        return ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]]
    }

    /// A Deployment written before bootstrap owned its strategy keeps the defaulter's rollingUpdate,
    /// which server-side apply cannot remove: one merge patch (RFC 7386, null deletes) switches it
    /// to Recreate first, as `kubectl apply` users do by hand.
    func strategySwitch(from live: Value) -> ObjectPreparation? {
        guard deploymentStrategy?["type"] == "Recreate", live[path: ["spec", "strategy", "rollingUpdate"]] != nil else { return nil }
        return .mergePatch(workloadRef, patch: ["spec": ["strategy": ["type": "Recreate", "rollingUpdate": .null]]],
                           reason: "strategy RollingUpdate to Recreate (\(recreateReasons.joined(separator: "; ")))")
    }
}
