import Graph
import Document
import FoundationEssentials
import Host
import Kube

/// The one walk over a playbook's step graph; plan, apply and status are its operations.
///
/// The walk reads the ledger, decides each step (``Decision``, the one place that does), and hands
/// each step node to the operation: the graph walk (``Executor``) knows nothing of the work.
public struct Walker: Sendable {
    public var host: any HostSystem
    public var connection: Connection
    public var options: WalkOptions
    public var progress: @Sendable (ProgressEvent) -> Void

    public init(host: any HostSystem, connection: Connection, options: WalkOptions = WalkOptions(),
                progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in }) {
        self.host = host
        self.connection = connection
        self.options = options
        self.progress = progress
    }

    /// What a walk produced, one report per operation.
    public enum Report: Sendable {
        case plan(PlanReport)
        case apply(ApplyReport)
        case status(StatusReport)
    }

    public func walk(_ playbook: CheckedPlaybook, _ operation: Operation) async throws -> Report {
        // A step without secrets digests alike with the ledger key or without it: digested while
        // the ledger is read (ahead, on the early connection), off a no-op re-run's wall time.
        var keyless: [String: String] = [:]
        for step in playbook.orderedSteps {
            keyless[step.id] = Digester(key: nil).digest(type: step.type.name, version: step.type.version, parameters: step.digestParameters)
        }
        let kube = try await connection.connect()
        // No cluster yet (a fresh node, before k3s.install): nothing can have been recorded, and status says so.
        var start = WalkStart(playbook: playbook, kube: kube, records: [:], key: nil, decisions: [:])
        if let kube {
            start.records = try await Ledger.readOrExplain(kube, playbook: playbook.name)
            if playbook.usesSecrets { start.key = try await Ledger.key(kube, create: false) }
        }
        let digester = Digester(key: start.key)
        for step in playbook.orderedSteps {
            let digest = keyless[step.id] ?? digester.digest(type: step.type.name, version: step.type.version, parameters: step.digestParameters)
            start.decisions[step.id] = Decision.make(record: start.records[step.id], digest: digest,
                                                     forced: options.forceSteps.contains(step.id), target: options.targeting, step: step.id)
        }
        let unmet = options.targeting.unmetNeeds(playbook, records: start.records)
        if !unmet.isEmpty && operation != .status { throw UnmetNeeds(problems: unmet) }
        // A selection touches only what it names: steps taken out of the playbook wait for a full run.
        if options.targeting.isEverything {
            start.removed = start.records.keys.filter { playbook.steps[$0] == nil }.sorted().map { ($0, start.records[$0]!) }
        }
        switch operation {
        case .status: return .status(try await status(start))
        case .plan:
            var report = try await plan(start)
            report.preflight = try await preflight(start)
            report.rehearsal = !refusesPlaceholders(start)
            return .plan(report)
        case .apply:
            // Before the first change: a failed check stops the run with nothing changed.
            let checks = try await preflight(start)
            let blocking = checks.filter { $0.blocks(rehearsal: !refusesPlaceholders(start)) }
            if !blocking.isEmpty { throw PreflightFailed(checks: blocking) }
            var report = try await apply(start)
            report.preflight = checks
            return .apply(report)
        }
    }

    /// A real run that changes the node refuses placeholders; a rehearsal, or a run of cluster
    /// steps only (a developer's k3d with secrets.example), accepts them and says so.
    func refusesPlaceholders(_ start: WalkStart) -> Bool {
        options.realRun && start.playbook.orderedSteps.contains { $0.type.changesHost && start.decisions[$0.id]?.action == .run }
    }

    public func plan(_ playbook: CheckedPlaybook) async throws -> PlanReport {
        guard case .plan(let report) = try await walk(playbook, .plan) else { preconditionFailure("plan walk") }
        return report
    }

    public func apply(_ playbook: CheckedPlaybook) async throws -> ApplyReport {
        guard case .apply(let report) = try await walk(playbook, .apply) else { preconditionFailure("apply walk") }
        return report
    }

    public func status(_ playbook: CheckedPlaybook) async throws -> StatusReport {
        guard case .status(let report) = try await walk(playbook, .status) else { preconditionFailure("status walk") }
        return report
    }

    /// A step's context for an operation.
    func context(_ step: CheckedPlaybook.Step, _ playbook: CheckedPlaybook, mode: StepContext.Mode, kube: KubeClient?,
                 digester: Digester) -> StepContext {
        let connection = self.connection
        let progress = self.progress
        let id = step.id
        if mode == .plan {
            return StepContext(stepID: id, mode: mode, host: PlanHost(wrapping: host), kube: kube, connect: { kube },
                               progress: { _ in }, waitTimeout: .seconds(0), playbookName: playbook.name, digester: digester,
                               recopy: options.recopy)
        }
        return StepContext(stepID: id, mode: mode, host: host, kube: kube, connect: { try await connection.connect() },
                           progress: { what in progress(.waiting(step: id, on: what)) },
                           waitTimeout: options.waitTimeout, playbookName: playbook.name, digester: digester,
                           recopy: options.recopy)
    }

    /// Status: the ledger against the playbook, and what each step's driver reads of the live state
    /// (read only, as a plan would).
    func status(_ start: WalkStart) async throws -> StatusReport {
        let playbook = start.playbook
        var entries: [StatusReport.Entry] = []
        for id in playbook.graph.order {
            let step = playbook.steps[id]!
            var state: String?
            if start.kube != nil {
                state = try await step.driver.liveState(context(step, playbook, mode: .plan, kube: start.kube, digester: Digester(key: start.key)))
            }
            guard let record = start.records[id] else {
                entries.append(.init(id: id, type: step.type.name, completedAt: nil, matches: nil, state: state))
                continue
            }
            entries.append(.init(id: id, type: step.type.name, completedAt: record.completedAt,
                                 matches: start.decisions[id]!.action == .skip, state: state))
        }
        return StatusReport(playbook: playbook.name, steps: entries)
    }
}

/// What every operation starts from: the ledger as read and each step's decision.
struct WalkStart: Sendable {
    var playbook: CheckedPlaybook
    var kube: KubeClient?
    var records: [String: Ledger.Record]
    var key: Data?
    var decisions: [String: Decision]
    /// Records of steps no longer in the playbook, by id.
    var removed: [(id: String, record: Ledger.Record)] = []
}

extension Walker {
    /// What a running step no longer wants of what it recorded. `wanted` are the references of
    /// the objects it applies now, as the server stores them (``KubeClient/normalizedRefs(_:)``).
    func prune(_ id: String, wanted: [ObjectRef], _ plan: ChangeSet, _ kube: KubeClient?, _ start: WalkStart) async throws -> Prune {
        guard let kube, let recorded = start.records[id]?.objects else { return Prune() }
        var deletedByStep: [ObjectRef] = []
        for ref in plan.deletions { deletedByStep.append(try await kube.normalized(ref)) }
        return Prune(recorded: recorded, wanted: Set(wanted), deletedByStep: deletedByStep)
    }
}
