import Document
import Engine
import Host
import Kube

// Apply waits for the new revision, as `kubectl rollout status` decides it
// (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go): a Deployment once
// generation <= observedGeneration, updatedReplicas = spec.replicas, no old replicas left and
// availableReplicas = updatedReplicas (a Progressing condition with reason ProgressDeadlineExceeded
// fails it); a StatefulSet once observed, readyReplicas = spec.replicas and updateRevision =
// currentRevision; a Job once its Complete condition is True (Failed or FailureTarget fails it). While it waits, the
// pods of this revision (their template-hash annotation) say why it does not come.
extension AppWorkload {
    enum Rollout: Equatable {
        case done
        case waiting(String)
        case failed(String)
    }

    static func rollout(_ kind: Kind, _ object: Value) -> Rollout {
        let status = object["status"] ?? .null
        let generation = object[path: ["metadata", "generation"]]?.intValue ?? 1
        let observed = status["observedGeneration"]?.intValue ?? 0
        let replicas = object[path: ["spec", "replicas"]]?.intValue ?? 1
        func count(_ key: String) -> Int { status[key]?.intValue ?? 0 }
        switch kind {
        case .Deployment:
            guard generation <= observed else { return .waiting("the Deployment's new spec to be observed") }
            let conditions = status["conditions"]?.arrayValue ?? []
            if conditions.contains(where: { $0["type"]?.stringValue == "Progressing" && $0["reason"]?.stringValue == "ProgressDeadlineExceeded" }) {
                return .failed("the Deployment exceeded its progress deadline")
            }
            if count("updatedReplicas") < replicas { return .waiting("\(count("updatedReplicas")) of \(replicas) new replicas updated") }
            if count("replicas") > count("updatedReplicas") { return .waiting("\(count("replicas") - count("updatedReplicas")) old replicas to terminate") }
            if count("availableReplicas") < count("updatedReplicas") {
                return .waiting("\(count("availableReplicas")) of \(count("updatedReplicas")) updated replicas available")
            }
            return .done
        case .StatefulSet:
            guard observed > 0, generation <= observed else { return .waiting("the StatefulSet's new spec to be observed") }
            if count("readyReplicas") < replicas { return .waiting("\(replicas - count("readyReplicas")) pods to be ready") }
            let update = status["updateRevision"]?.stringValue ?? ""
            if update != (status["currentRevision"]?.stringValue ?? "") { return .waiting("pods at revision \(update)") }
            return .done
        case .Job:
            for condition in status["conditions"]?.arrayValue ?? [] where condition["status"]?.stringValue == "True" {
                switch condition["type"]?.stringValue {
                case "Complete": return .done
                // FailureTarget comes first (1.29+), Failed once its pods are gone: either decides.
                case "Failed", "FailureTarget":
                    let reason = condition["reason"]?.stringValue ?? "Failed"
                    return .failed(condition["message"]?.stringValue.map { "\(reason): \($0)" } ?? reason)
                default: continue
                }
            }
            return .waiting("the Job to complete")
        }
    }

    /// Waiting reasons that do not go away by waiting (kubectl's rollout status warns on the same).
    static let stuckReasons: Set<String> = ["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull",
                                            "CreateContainerConfigError", "CreateContainerError"]

    /// What is wrong with one pod, and whether it is final; nil when nothing is.
    static func podProblem(_ pod: Value) -> (message: String, final: Bool)? {
        let name = pod[path: ["metadata", "name"]]?.stringValue ?? "?"
        let status = pod["status"] ?? .null
        for condition in status["conditions"]?.arrayValue ?? []
        where condition["type"]?.stringValue == "PodScheduled" && condition["status"]?.stringValue == "False" {
            let reason = condition["reason"]?.stringValue ?? "Unschedulable"
            return ("pod \(name) is \(reason): \(condition["message"]?.stringValue ?? "no node fits it")", reason == "Unschedulable")
        }
        for container in status["containerStatuses"]?.arrayValue ?? [] {
            if let waiting = container[path: ["state", "waiting"]], let reason = waiting["reason"]?.stringValue {
                let message = waiting["message"]?.stringValue.map { ": \($0)" } ?? ""
                if reason == "CrashLoopBackOff" {
                    let last = container[path: ["lastState", "terminated"]]
                    let exit = last?["exitCode"]?.intValue.map { " (exit code \($0))" } ?? ""
                    let log = last?["message"]?.stringValue.map { text in
                        "; its last log lines:\n" + text.split(separator: "\n").suffix(10).map { "    \($0)" }.joined(separator: "\n")
                    } ?? ""
                    let restarts = container["restartCount"]?.intValue ?? 0
                    return ("pod \(name) is in CrashLoopBackOff\(exit) after \(restarts) restarts\(log)", restarts >= 3)
                }
                if stuckReasons.contains(reason) { return ("pod \(name): \(reason)\(message)", reason != "ErrImagePull") }
            }
            if let terminated = container[path: ["state", "terminated"]], terminated["exitCode"]?.intValue ?? 0 != 0 {
                let log = terminated["message"]?.stringValue.map { "; its last log lines:\n" + $0.split(separator: "\n").suffix(10).map { "    \($0)" }.joined(separator: "\n") } ?? ""
                return ("pod \(name) failed with exit code \(terminated["exitCode"]?.intValue ?? 0)\(log)", false)
            }
            if container[path: ["state", "running"]] != nil, container["ready"]?.boolValue == false {
                return ("pod \(name) runs but is not ready: its readiness probe fails", false)
            }
        }
        return nil
    }

    /// The pods of the revision being rolled out.
    func currentPods(_ kube: KubeClient, hash: String) async throws -> [Value] {
        try await kube.list(apiVersion: "v1", kind: "Pod", namespace: p.namespace, labelSelector: "\(Self.nameLabel)=\(p.name)")
            .filter { $0[path: ["metadata", "annotations", Self.templateAnnotation]]?.stringValue == hash }
    }

    /// A readiness probe's failures are told by the kubelet's Unhealthy events for the pod.
    func probeEvent(_ kube: KubeClient, pod: String) async throws -> String? {
        let events = try await kube.list(apiVersion: "v1", kind: "Event", namespace: p.namespace, labelSelector: nil)
        return events.last { $0[path: ["involvedObject", "name"]]?.stringValue == pod && $0["reason"]?.stringValue == "Unhealthy" }?["message"]?.stringValue
    }

    var waitLimit: Duration? { p.timeout.flatMap(Self.goDuration) }

    static func goDuration(_ text: String) -> Duration? {
        var total = 0.0
        var number = ""
        var rest = Substring(text)
        while !rest.isEmpty {
            number = String(rest.prefix { $0.isNumber || $0 == "." })
            rest = rest.dropFirst(number.count)
            let unit = String(rest.prefix { $0.isLetter || $0 == "µ" })
            rest = rest.dropFirst(unit.count)
            guard let value = Double(number) else { return nil }
            let scale: Double
            switch unit {
            case "h": scale = 3600
            case "m": scale = 60
            case "s": scale = 1
            case "ms": scale = 0.001
            case "us", "µs": scale = 0.000_001
            case "ns": scale = 0.000_000_001
            default: return nil
            }
            total += value * scale
        }
        return .milliseconds(Int(total * 1000))
    }

    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        let kube = try context.requireKube()
        guard let desired = plan.objects.last else { return }
        let hash = desired[path: ["metadata", "annotations", Self.templateAnnotation]]?.stringValue ?? ""
        // A Job's pod template cannot change: a changed Job is deleted and created again, and so is
        // a failed one, so that a re-run after fixing the cause runs it again.
        if p.kindChoice == .Job, let live = try await kube.get(workloadRef),
           live[path: ["metadata", "annotations", Self.templateAnnotation]]?.stringValue != hash
            || { if case .failed = Self.rollout(.Job, live) { return true } else { return false } }() {
            try await context.ensureDeleted([workloadRef])
        }
        try await switchToRecreate(kube, context)
        try await context.applyObjects(plan.objects)
        try await waitForRollout(kube, context, hash: hash)
        try await smoke(kube, context)
    }

    func waitForRollout(_ kube: KubeClient, _ context: StepContext, hash: String) async throws {
        let limit = waitLimit ?? context.waitTimeout
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        var pause = Duration.milliseconds(5)
        var reported = ""
        while true {
            guard let live = try await kube.get(workloadRef) else { throw StepError("\(p.kindChoice.rawValue) \(p.namespace)/\(p.name) disappeared during its rollout") }
            let state = Self.rollout(p.kindChoice, live)
            if state == .done { return }
            var problem: String?
            for pod in try await currentPods(kube, hash: hash) {
                guard var found = Self.podProblem(pod) else { continue }
                if found.message.hasSuffix("its readiness probe fails"), let name = pod[path: ["metadata", "name"]]?.stringValue,
                   let event = try await probeEvent(kube, pod: name) {
                    found.message += " (\(event))"
                }
                if found.final { throw rolloutFailure(found.message) }
                problem = found.message
            }
            if case .failed(let reason) = state { throw rolloutFailure(problem.map { "\(reason); \($0)" } ?? reason) }
            guard case .waiting(let what) = state else { return }
            if what != reported {
                context.progress("waiting for the rollout of \(p.kindChoice.rawValue) \(p.namespace)/\(p.name): \(what)")
                reported = what
            }
            if clock.now >= deadline {
                throw rolloutFailure("timed out after \(limit) waiting for \(what)" + (problem.map { "; \($0)" } ?? ""))
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(500))
        }
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
        switch Self.rollout(p.kindChoice, live) {
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
            switch Self.rollout(p.kindChoice, live) {
            case .done: break
            case .waiting(let what): drift.append("\(p.kindChoice.rawValue) \(p.namespace)/\(p.name) is not rolled out: waiting for \(what)")
            case .failed(let reason): drift.append("\(p.kindChoice.rawValue) \(p.namespace)/\(p.name) failed: \(reason)")
            }
        }
        return drift
    }
}
