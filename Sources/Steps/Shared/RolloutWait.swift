import Document
import Engine
import Kube

/// Waits for one workload to be rolled out, and then for it to stay so.
///
/// "Rolled out" is kubectl's rule (``Rollout``) plus a settle window: once it holds, the new pods
/// must stay Ready with no container restart for ``settle`` (by default
/// ``Rollout/settleWindow(template:)``), because a container without a readiness probe is Ready the
/// moment it runs, and one that crashes a second later has already counted as available. A
/// restart, CrashLoopBackOff, or an exit (Error, OOMKilled) of a new pod's container at any time
/// during the wait fails it at once, naming the pod, the reason and the last log lines. The
/// timeout bounds the time to get rolled out; the settle window comes on top. Time is the client's
/// clock, so a rehearsal or a test never waits for real.
public struct RolloutWait: Sendable {
    public var kind: Rollout.Kind
    public var namespace: String
    public var name: String
    /// nil: the window of the workload's own probes.
    public var settle: Duration?
    /// How long it may take to be rolled out.
    public var limit: Duration

    public init(kind: Rollout.Kind, namespace: String, name: String, settle: Duration?, limit: Duration) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.settle = settle
        self.limit = limit
    }

    var ref: ObjectRef { ObjectRef(apiVersion: kind.apiVersion, kind: kind.rawValue, namespace: namespace, name: name) }
    var what: String { "\(kind.rawValue) \(namespace)/\(name)" }

    /// Returns once rolled out and settled; throws `failure(detail)` otherwise. `applied` is the
    /// workload as the apply just stored it (the server's answer): the first look is at it, with no
    /// read, since a read made at once would tell the same.
    public func run(_ kube: KubeClient, applied: Value? = nil, progress: (String) -> Void, failure: (String) -> StepError) async throws {
        let clock = kube.clock
        let start = clock.now()
        var pause = Duration.milliseconds(5)
        var reported = ""
        var pods = PodWatch()
        var hashes: [String: String] = [:]
        var settledSince: Duration?
        var answered = applied
        while true {
            let looked: Value?
            if let first = answered { looked = first; answered = nil } else { looked = try await kube.get(ref) }
            guard let live = looked else { throw failure("\(what) disappeared during its rollout") }
            let state = Rollout.of(kind, live)
            var problem: String?
            for pod in try await Rollout.currentPods(kube, kind, live, hashes: &hashes) {
                guard var found = pods.problem(pod, restartsInPlace: kind.restartsInPlace) else { continue }
                if found.message.hasSuffix("its readiness probe fails"), let name = pod[path: ["metadata", "name"]]?.stringValue,
                   let event = try await probeEvent(kube, pod: name) {
                    found.message += " (\(event))"
                }
                if found.final { throw failure(found.message) }
                problem = found.message
            }
            let now = clock.now()
            let awaited: String
            switch state {
            case .failed(let reason):
                throw failure(problem.map { "\(reason); \($0)" } ?? reason)
            case .done:
                let window = window(live)
                let since = settledSince ?? now
                settledSince = since
                if now - since >= window { return }
                awaited = "its new pods to stay Ready without a restart for \(Self.seconds(window))"
            case .waiting(let what):
                settledSince = nil
                awaited = what
                if now - start >= limit {
                    throw failure("timed out after \(limit) waiting for \(what)" + (problem.map { "; \($0)" } ?? ""))
                }
            }
            if awaited != reported {
                progress("waiting for the rollout of \(self.what): \(awaited)")
                reported = awaited
            }
            // Settling, a fifth of the window between looks (at least a second): an exit is seen
            // within that, and a healthy rollout costs a handful of requests.
            if settledSince != nil { pause = max(.seconds(1), window(live) / 5) }
            try await clock.sleep(pause)
            pause = settledSince == nil ? min(pause * 2, .milliseconds(500)) : pause
        }
    }

    /// The settle window for this workload: none for a Job or no replicas, else ``settle`` or its probes'.
    func window(_ live: Value) -> Duration {
        guard kind != .Job, live[path: ["spec", "replicas"]]?.intValue != 0 else { return .zero }
        return settle ?? Rollout.settleWindow(template: live[path: ["spec", "template"]] ?? .null)
    }

    /// A readiness probe's failures are told by the kubelet's Unhealthy events for the pod.
    func probeEvent(_ kube: KubeClient, pod: String) async throws -> String? {
        let events = try await kube.list(apiVersion: "v1", kind: "Event", namespace: namespace, labelSelector: nil)
        return events.last { $0[path: ["involvedObject", "name"]]?.stringValue == pod && $0["reason"]?.stringValue == "Unhealthy" }?["message"]?.stringValue
    }

    /// "10s", "1m30s": how a playbook writes a duration.
    static func seconds(_ duration: Duration) -> String {
        let total = Int(duration.components.seconds)
        return total >= 60 ? "\(total / 60)m\(total % 60 == 0 ? "" : "\(total % 60)s")" : "\(total)s"
    }
}
