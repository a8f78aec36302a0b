import Document
import Foundation
import Host
import Kube
import Synchronization

/// What `apply` did: each step's outcome and the requests it took.
public struct ApplyReport: Sendable {
    public struct StepResult: Sendable {
        public var id: String
        public var type: String
        public var outcome: StepOutcome
        public var reason: String
        /// The objects the step applied, secrets redacted.
        public var objects: [Value]
    }

    public var playbook: String
    public var steps: [StepResult]
    public var requests: RequestStats
    public var failed: [String] { steps.filter { if case .failed = $0.outcome { return true } else { return false } }.map(\.id) }
    public var blocked: [String] { steps.filter { if case .blocked = $0.outcome { return true } else { return false } }.map(\.id) }
}

/// Runs a playbook: takes the lock, runs the steps that are not done, records each one once its
/// effect is verified.
public struct Applier: Sendable {
    public var host: any HostSystem
    public var connection: Connection
    public var parallel: Int
    public var verify: Bool
    public var forceSteps: Set<String>
    /// Rehearsal only: this step fails before it does anything.
    public var failStep: String?
    public var waitTimeout: Duration
    public var identity: String
    public var progress: @Sendable (ProgressEvent) -> Void

    public init(host: any HostSystem, connection: Connection, parallel: Int = 4, verify: Bool = false,
                forceSteps: Set<String> = [], failStep: String? = nil, waitTimeout: Duration = .seconds(300),
                identity: String = RunLease.localIdentity(), progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in }) {
        self.host = host
        self.connection = connection
        self.parallel = parallel
        self.verify = verify
        self.forceSteps = forceSteps
        self.failStep = failStep
        self.waitTimeout = waitTimeout
        self.identity = identity
        self.progress = progress
    }

    /// Mutable state of one run, shared by the steps running in parallel.
    final class RunState: Sendable {
        struct Pending: Sendable {
            var step: String
            var type: String
            var version: Int
            var parameters: Value
        }
        let key = Mutex<Data?>(nil)
        let pending = Mutex<[Pending]>([])
        let lease = Mutex<RunLease?>(nil)
        let results = Mutex<[String: (reason: String, objects: [Value])]>([:])
    }

    public func apply(_ playbook: CheckedPlaybook) async throws -> ApplyReport {
        let state = RunState()
        var records: [String: Ledger.Record] = [:]
        let kube = try await connection.connect()
        if let kube {
            records = try await Ledger.readOrExplain(kube, playbook: playbook.name)
            if playbook.usesSecrets {
                let key = try await Ledger.key(kube, create: false)
                state.key.withLock { $0 = key }
            }
        }

        var decisions: [String: Decision] = [:]
        let digester = Digester(key: state.key.withLock { $0 })
        for step in playbook.orderedSteps {
            let digest = digester.digest(type: step.type.name, version: step.type.version, parameters: step.parameters.value)
            decisions[step.id] = Decision.make(record: records[step.id], digest: digest, forced: forceSteps.contains(step.id))
        }
        // Nothing to do and nothing to check: one ledger read, no lock, no write.
        if !verify, failStep == nil, decisions.values.allSatisfy({ $0.action == .skip }) {
            let steps = playbook.graph.order.map { id in
                ApplyReport.StepResult(id: id, type: playbook.steps[id]!.type.name, outcome: .skipped, reason: decisions[id]!.reason, objects: [])
            }
            return ApplyReport(playbook: playbook.name, steps: steps, requests: kube?.stats ?? RequestStats())
        }

        let identity = self.identity
        let name = playbook.name
        let shards = Ledger.shardCount(steps: playbook.steps.count)
        let usesSecrets = playbook.usesSecrets
        let progress = self.progress
        let onConnect: @Sendable (KubeClient) async throws -> Void = { client in
            let lease = RunLease(kube: client, playbook: name, identity: identity)
            try await lease.acquire()
            state.lease.withLock { $0 = lease }
            try await Ledger.ensure(client, playbook: name, shards: shards)
            if usesSecrets {
                let k = try await Ledger.key(client, create: true)
                state.key.withLock { $0 = k }
            }
            try await Self.flush(state, client: client, playbook: name, shards: shards, progress: progress)
        }
        if let kube {
            try await onConnect(kube)
        } else {
            await connection.whenConnected(onConnect)
        }
        let decided = decisions
        let outcomes = await Executor(parallel: parallel).run(playbook.graph, onBlocked: { step, by in
            progress(.blocked(step: step, by: by))
        }) { id in
            await runStep(playbook.steps[id]!, decision: decided[id]!, playbook: playbook, state: state)
        }

        // Host steps that ran before the API existed are recorded as soon as it is reachable.
        if let client = try? await connection.connect() {
            try? await Self.flush(state, client: client, playbook: name, shards: shards, progress: progress)
        }
        if let lease = state.lease.withLock({ $0 }) { await lease.release() }

        let results = state.results.withLock { $0 }
        let steps = playbook.graph.order.map { id in
            ApplyReport.StepResult(id: id, type: playbook.steps[id]!.type.name, outcome: outcomes[id] ?? .blocked(by: "?"),
                                   reason: results[id]?.reason ?? decisions[id]!.reason, objects: results[id]?.objects ?? [])
        }
        let stats = await connection.client?.stats ?? RequestStats()
        return ApplyReport(playbook: name, steps: steps, requests: stats)
    }

    func runStep(_ step: CheckedPlaybook.Step, decision: Decision, playbook: CheckedPlaybook, state: RunState) async -> StepOutcome {
        let progress = self.progress
        let started = ContinuousClock.now
        func seconds() -> Double {
            let d = ContinuousClock.now - started
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        progress(.started(step: step.id))
        let outcome: StepOutcome
        do {
            outcome = try await execute(step, decision: decision, playbook: playbook, state: state)
        } catch {
            outcome = .failed("\(error)")
        }
        progress(.finished(step: step.id, outcome: outcome, seconds: seconds()))
        return outcome
    }

    func execute(_ step: CheckedPlaybook.Step, decision: Decision, playbook: CheckedPlaybook, state: RunState) async throws -> StepOutcome {
        let connection = self.connection
        let kube = try await connection.connect()
        let context = StepContext(
            stepID: step.id, mode: .apply, host: host, kube: kube,
            connect: { try await connection.connect() },
            progress: { [progress] what in progress(.waiting(step: step.id, on: what)) },
            waitTimeout: waitTimeout, playbookName: playbook.name)

        var decision = decision
        var plan: StepPlan?
        if decision.action == .skip {
            guard verify else { return .skipped }
            let checked = try await step.driver.check(context)
            let drift = try await step.driver.verify(checked, context)
            if drift.isEmpty { return .skipped }
            decision = Decision(action: .run, reason: "drifted: " + drift.joined(separator: "; "))
            plan = checked
        }
        if step.id == failStep { throw StepError("failed on request (--fail-step \(step.id)); nothing was changed") }

        let checked: StepPlan
        if let plan { checked = plan } else { checked = try await step.driver.check(context) }
        try await step.driver.apply(checked, context)
        // k3s.install may have brought the API up; verify with whatever is reachable now.
        let after = StepContext(stepID: step.id, mode: .apply, host: host, kube: try await connection.connect(),
                                connect: context.connect, progress: context.progress, waitTimeout: waitTimeout,
                                playbookName: playbook.name, applied: context.applied)
        let drift = try await step.driver.verify(checked, after)
        guard drift.isEmpty else {
            throw StepError("applied, but the effect is not in place: " + drift.joined(separator: "; "))
        }
        state.results.withLock { $0[step.id] = (decision.reason, checked.objects.map { Redaction.redact(context.stamped($0)) }) }
        state.pending.withLock {
            $0.append(.init(step: step.id, type: step.type.name, version: step.type.version, parameters: step.parameters.value))
        }
        if let client = after.kube {
            try await Self.flush(state, client: client, playbook: playbook.name,
                                 shards: Ledger.shardCount(steps: playbook.steps.count), progress: progress)
        }
        return .applied
    }

    /// Records every verified step not yet recorded.
    static func flush(_ state: RunState, client: KubeClient, playbook: String, shards: Int,
                      progress: @Sendable (ProgressEvent) -> Void) async throws {
        let batch = state.pending.withLock { pending -> [RunState.Pending] in
            defer { pending.removeAll() }
            return pending
        }
        let digester = Digester(key: state.key.withLock { $0 })
        for (index, item) in batch.enumerated() {
            guard let digest = digester.digest(type: item.type, version: item.version, parameters: item.parameters) else { continue }
            let record = Ledger.Record(digest: digest, completedAt: Ledger.timestamp(), type: item.type, version: item.version)
            do {
                try await Ledger.record(client, playbook: playbook, step: item.step, shards: shards, record)
            } catch {
                // Keep what was not recorded; the next flush (or the next run, which redoes it) tries again.
                state.pending.withLock { $0.append(contentsOf: batch[index...]) }
                throw error
            }
        }
    }
}
