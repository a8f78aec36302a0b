import Document
import Engine
import Host
import Kube

// Apply waits for the new revision by the shared rule (Steps/Shared/RolloutWait.swift): kubectl's
// rollout status, then the settle window, failing on the first restart with the pod, the reason
// and its last log lines.
extension AppWorkload: ReportsLiveState {
    var rolloutKind: Rollout.Kind { Rollout.Kind(rawValue: p.kindChoice.rawValue) ?? .Deployment }

    var waitLimit: Duration? { p.timeout.flatMap(GoDuration.parse) }

    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        let kube = try context.requireKube()
        guard !plan.objects.isEmpty else { return }
        // A changed or failed Job replaced, a Deployment's strategy switched: as planned (check).
        try await context.prepare(plan.preparations)
        try await context.applyObjects(plan.objects)
        let wait = RolloutWait(kind: rolloutKind, namespace: p.namespace, name: p.name,
                               settle: p.settle.flatMap(GoDuration.parse), limit: waitLimit ?? context.waitTimeout)
        try await wait.run(kube, applied: context.applied.response(for: workloadRef), progress: context.progress, failure: rolloutFailure)
        try await smoke(kube, context)
    }

    func rolloutFailure(_ detail: String) -> StepError {
        StepError("the rollout of \(p.kindChoice.rawValue) \(p.namespace)/\(p.name) (\(p.image)) failed: \(detail)")
    }

    /// An HTTP request to the Service through the API server's service proxy; simulated in a rehearsal.
    func smoke(_ kube: KubeClient, _ context: StepContext) async throws {
        guard let smoke = p.smoke?.http else { return }
        let expect = smoke.expect ?? 200
        let port = (p.ports ?? []).first { $0.name == smoke.port || String($0.containerPort) == smoke.port }?.name ?? smoke.port
        if context.host is RehearsalHost {
            context.progress("smoke check simulated in the rehearsal: GET \(p.name):\(port)\(smoke.path) would expect \(expect)")
            return
        }
        let status = try await kube.serviceProxyStatus(namespace: p.namespace, service: p.name, port: port, path: smoke.path)
        if status != expect {
            throw StepError("smoke check failed: GET \(smoke.path) on Service \(p.namespace)/\(p.name) port \(port) answered \(status), expected \(expect)")
        }
    }

    /// For `status`: the workload's rollout, as `kubectl rollout status` would tell it.
    public func liveState(_ context: StepContext) async throws -> String? {
        guard let kube = context.kube else { return nil }
        let what = "\(p.kindChoice.rawValue) \(p.namespace)/\(p.name)"
        guard let live = try await kube.get(workloadRef) else { return "\(what) does not exist" }
        switch Rollout.of(rolloutKind, live) {
        case .done:
            if p.kindChoice == .Job { return "\(what) complete" }
            let ready = live[path: ["status", p.kindChoice == .Deployment ? "availableReplicas" : "readyReplicas"]]?.intValue ?? 0
            // Out of what the cluster wants now: a hand scale (`kubectl scale`) is drift, said as such.
            let wanted = live[path: ["spec", "replicas"]]?.intValue ?? p.replicaCount
            let drift = wanted == p.replicaCount ? "" : " (scaled to \(wanted) by hand; the playbook says \(p.replicaCount): `apply --verify` restores it)"
            return "\(what) rolled out, \(ready)/\(wanted) ready\(drift)"
        case .waiting(let reason): return "\(what) rolling out: waiting for \(reason)"
        case .failed(let reason): return "\(what) failed: \(reason)"
        }
    }

    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] {
        var drift = try await context.drift(of: plan.objects)
        let kube = try context.requireKube()
        if let live = try await kube.get(workloadRef) {
            switch Rollout.of(rolloutKind, live) {
            case .done: break
            case .waiting(let what): drift.append("\(p.kindChoice.rawValue) \(p.namespace)/\(p.name) is not rolled out: waiting for \(what)")
            case .failed(let reason): drift.append("\(p.kindChoice.rawValue) \(p.namespace)/\(p.name) failed: \(reason)")
            }
        }
        return drift
    }
}
