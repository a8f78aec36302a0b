import Engine
import Kube

// `--recopy` clears what a finished copy holds and copies again: under a running service its
// files would vanish and reappear mid-copy, and what it writes meanwhile would be mixed into the
// new copy. Like `kubectl drain` refusing pods it cannot move, the pre-flight refuses while a
// workload runs with the copy's target mounted, and says how to stop it (scale it to 0).
extension DataMigrate {
    /// For a copy about to be redone (`--recopy`, or a redo that was interrupted while clearing):
    /// no Running pod mounts its target, through a claim bound to a PersistentVolume there or a
    /// hostPath. nil when no redo is due; passed when the API server does not answer (nothing runs).
    func inUseCheck(_ context: StepContext) async throws -> PreflightCheck? {
        switch try await inspect(context.host) {
        case .done, .finishing: guard recopyRequested(context) else { return nil }
        case .clearing: break
        default: return nil
        }
        let step = context.stepID
        guard let kube = context.kube else {
            return .passed(step, "not in use", "the API server does not answer: no workload runs with \(parameters.to) mounted")
        }
        let users = try await PodMounts.read(kube).running(mountingHostPath: parameters.to)
        guard !users.isEmpty else { return .passed(step, "not in use", "no running pod mounts \(parameters.to)") }
        var workloads: [(RunningWorkload, via: String, pods: Int)] = []
        for (pod, via) in users {
            let workload = try await RunningWorkload.of(pod, kube)
            if let index = workloads.firstIndex(where: { $0.0 == workload }) { workloads[index].pods += 1 } else { workloads.append((workload, via, 1)) }
        }
        let named = workloads.map { workload, via, pods in
            "\(workload) runs \(pods) pod\(pods == 1 ? "" : "s") with \(parameters.to) mounted (\(via))"
        }
        let scalable = workloads.map(\.0).filter { $0.replicas != nil }
        let down = scalable.map { "`\(Self.scale($0, to: 0))`" }, up = scalable.map { "`\(Self.scale($0, to: $0.replicas ?? 1))`" }
        return .failed(step, "not in use", "--recopy \(copyName): " + named.joined(separator: "; ") + ": scale it to 0 first"
            + (down.isEmpty ? "" : " (\(down.joined(separator: ", ")))") + ", then recopy"
            + (up.isEmpty ? "" : ", then scale it back (\(up.joined(separator: ", ")))"))
    }

    static func scale(_ workload: RunningWorkload, to replicas: Int) -> String {
        "kubectl -n \(workload.namespace) scale \(workload.kind.lowercased()) \(workload.name) --replicas=\(replicas)"
    }
}
