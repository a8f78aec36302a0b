import Platform
import Graph
import Document
import FoundationEssentials
import Host
import Kube
import Synchronization

// Apply: takes the lock, runs the step nodes that are not done (independent ones concurrently),
// records each one once its effect is verified.
extension Walker {
    /// Mutable state of one run, shared by the steps running in parallel.
    final class RunState: Sendable {
        struct Pending: Sendable {
            var step: String
            var type: String
            var version: Int
            var parameters: Value
            var objects: [ObjectRef]
        }
        let key = Mutex<Data?>(nil)
        let pending = Mutex<[Pending]>([])
        let lease = Mutex<RunLease?>(nil)
        let results = Mutex<[String: (reason: String, objects: [Value])]>([:])
        /// One ledger write at a time, so steps finishing together share one (``Walker/flush``).
        let flushTurn = Turnstile()
        /// Set once the lease is held and the ledger and its key exist: a step that finishes
        /// while the API is coming up (beside k3s.install) leaves its record to that moment.
        let ledgerReady = Mutex(false)
    }

    func apply(_ start: WalkStart) async throws -> ApplyReport {
        let playbook = start.playbook
        let decisions = start.decisions
        let state = RunState()
        state.key.withLock { $0 = start.key }
        // Nothing to do and nothing to check: one ledger read, no lock, no write.
        if !options.verify, options.failStep == nil, start.removed.isEmpty, decisions.values.allSatisfy({ $0.action == .skip }) {
            let steps = playbook.graph.order.map { id in
                ApplyReport.StepResult(id: id, type: playbook.steps[id]!.type.name, outcome: skipOutcome(id, decisions[id]!),
                                       reason: decisions[id]!.reason, objects: [])
            }
            return ApplyReport(playbook: playbook.name, steps: steps, requests: start.kube?.stats ?? RequestStats())
        }

        // The node's lock first: host steps run before the cluster's Lease can exist. A run that
        // changes nothing on the node (cluster steps against a developer's k3d) needs none.
        let changesHost = playbook.orderedSteps.contains { step in
            step.type.changesHost && (decisions[step.id]!.action == .run || (options.verify && options.targeting.selects(step.id)))
        }
        let nodeLock = changesHost ? try RunLock.acquire(on: host, identity: options.identity) : nil
        defer { nodeLock?.release() }
        let identity = options.identity
        let name = playbook.name
        let shards = Ledger.shardCount(steps: playbook.steps.count)
        let usesSecrets = playbook.usesSecrets
        let onConnect: @Sendable (KubeClient) async throws -> Void = { client in
            let lease = RunLease(kube: client, playbook: name, identity: identity)
            try await lease.acquire()
            state.lease.withLock { $0 = lease }
            // From here on every write first checks the lock is still ours (it fences).
            client.fenceWrites { try await lease.fence() }
            try await Ledger.ensure(client, playbook: name, shards: shards)
            if usesSecrets {
                let k = try await Ledger.key(client, create: true)
                state.key.withLock { $0 = k }
            }
            state.ledgerReady.withLock { $0 = true }
            try await Self.flush(state, client: client, playbook: name, shards: shards)
        }
        if let kube = start.kube {
            try await onConnect(kube)
        } else {
            await connection.whenConnected(onConnect)
        }
        let progress = self.progress
        let interruption = options.interruption
        let targeting = options.targeting
        var outcomes = await Executor(parallel: options.parallel).run(playbook.graph, stopped: { interruption.isTriggered }, onBlocked: { step, by in
            // A step left out by --only would not have run anyway: it is not blocked.
            if targeting.selects(step) { progress(.blocked(step: step, by: by)) }
        }) { id in
            await runStep(playbook.steps[id]!, decision: decisions[id]!, start: start, state: state)
        }
        for (id, outcome) in outcomes where !targeting.selects(id) {
            if case .blocked = outcome { outcomes[id] = skipOutcome(id, decisions[id]!) }
        }
        let removed = interruption.isTriggered ? [] : await removeSteps(start, state: state)

        // Host steps that ran before the API existed are recorded as soon as it is reachable.
        if let client = try? await connection.connect() {
            try? await Self.flush(state, client: client, playbook: name, shards: shards)
        }
        if let lease = state.lease.withLock({ $0 }) {
            await connection.client?.fenceWrites(nil)
            await lease.release()
        }

        let results = state.results.withLock { $0 }
        let steps = playbook.graph.order.map { id in
            ApplyReport.StepResult(id: id, type: playbook.steps[id]!.type.name, outcome: outcomes[id] ?? .notStarted,
                                   reason: results[id]?.reason ?? decisions[id]!.reason, objects: results[id]?.objects ?? [])
        } + removed
        let stats = await connection.client?.stats ?? RequestStats()
        return ApplyReport(playbook: name, steps: steps, requests: stats)
    }

    /// A step that does not run: left out by the command line, or recorded and unchanged.
    func skipOutcome(_ id: String, _ decision: Decision) -> StepOutcome {
        options.targeting.selects(id) ? .skipped : .notSelected(decision.reason)
    }

    func runStep(_ step: CheckedPlaybook.Step, decision: Decision, start: WalkStart, state: RunState) async -> StepOutcome {
        let clock = ContinuousClock()
        let started = clock.now
        progress(.started(step: step.id))
        let outcome: StepOutcome
        do {
            outcome = try await execute(step, decision: decision, start: start, state: state)
        } catch where options.interruption.isTriggered {
            // Its commands got the signal and ended (status 130): the step did not fail, it was stopped.
            outcome = .interrupted("\(error)")
        } catch {
            outcome = .failed(SystemError.message(of: error))
        }
        let elapsed = (clock.now - started).components
        progress(.finished(step: step.id, outcome: outcome,
                           seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18))
        return outcome
    }

    func execute(_ step: CheckedPlaybook.Step, decision: Decision, start: WalkStart, state: RunState) async throws -> StepOutcome {
        let playbook = start.playbook
        let context = context(step, playbook, mode: .apply, kube: try await connection.connect(),
                              digester: Digester(key: state.key.withLock { $0 }))
        var decision = decision
        var plan: ChangeSet?
        if decision.action == .skip {
            guard decision.needsVerification(options.verify) else { return skipOutcome(step.id, decision) }
            let checked = try await step.driver.check(context)
            decision = decision.verified(drift: try await step.driver.verify(checked, context))
            if decision.action == .skip { return .skipped }
            plan = checked
        }
        if step.id == options.failStep { throw StepError("failed on request (--fail-step \(step.id)); nothing was changed") }

        let checked: ChangeSet
        if let plan { checked = plan } else { checked = try await step.driver.check(context) }
        try await step.driver.apply(checked, context)
        // The step may have brought the API up (the cluster's provider); verify with whatever is reachable now.
        let after = context.with(kube: try await connection.connect())
        let drift = try await step.driver.verify(checked, after)
        guard drift.isEmpty else {
            throw StepError("applied, but the effect is not in place: " + drift.joined(separator: "; "))
        }
        // What the step wrote before and no longer wants goes only after its new objects are in place.
        // References as the server stores them: compared with the record now, and recorded for next time.
        let written = try await after.kube?.normalizedRefs(checked.objects) ?? []
        let pruned = try await prune(step.id, wanted: written, checked, after.kube, start)
        try await after.ensureDeleted(checked.deletions + pruned.delete)
        state.results.withLock { $0[step.id] = (decision.reason, checked.objects.map { Redaction.redact(context.stamped($0)) }) }
        state.pending.withLock {
            $0.append(.init(step: step.id, type: step.type.name, version: step.type.version, parameters: step.digestParameters,
                            objects: written))
        }
        if let client = after.kube {
            try await Self.flush(state, client: client, playbook: playbook.name, shards: Ledger.shardCount(steps: playbook.steps.count),
                                 step: step.id)
        }
        return .applied
    }

    /// Steps no longer in the playbook: their objects are deleted (never those holding data, never
    /// host changes), then their records; a crash in between deletes nothing twice and converges.
    func removeSteps(_ start: WalkStart, state: RunState) async -> [ApplyReport.StepResult] {
        var results: [ApplyReport.StepResult] = []
        for (id, record) in start.removed {
            progress(.started(step: id))
            let prune = Prune(recorded: record.objects, wanted: [], deletedByStep: [])
            let outcome: StepOutcome
            do {
                guard let kube = try await connection.connect() else { throw StepError("the Kubernetes API is not reachable") }
                let context = StepContext(stepID: id, mode: .apply, host: host, kube: kube, connect: { kube },
                                          progress: { [progress] what in progress(.waiting(step: id, on: what)) },
                                          waitTimeout: options.waitTimeout, playbookName: start.playbook.name)
                try await context.ensureDeleted(prune.delete)
                try await Ledger.remove(kube, playbook: start.playbook.name, step: id,
                                        shards: Ledger.shardCount(steps: start.playbook.steps.count))
                outcome = .applied
            } catch {
                outcome = .failed(SystemError.message(of: error))
            }
            progress(.finished(step: id, outcome: outcome, seconds: 0))
            let kept = prune.keep.isEmpty ? "" : "; kept because they hold data: " + prune.keep.map(\.description).joined(separator: ", ")
            results.append(.init(id: id, type: record.type, outcome: outcome,
                                 reason: "removed from the playbook: \(prune.delete.count) objects deleted\(kept)", objects: []))
        }
        return results
    }

    /// Records every verified step not yet recorded, in one write per ledger shard.
    ///
    /// Flushes take turns (a group commit): steps that finish while a flush is being written are
    /// recorded together by the next one, and a step whose record an earlier turn wrote has
    /// nothing left to do. `step` is the caller's own step, if any: once it is recorded the
    /// turn is not needed.
    static func flush(_ state: RunState, client: KubeClient, playbook: String, shards: Int, step: String? = nil) async throws {
        await state.flushTurn.acquire()
        do {
            try await writePending(state, client: client, playbook: playbook, shards: shards, step: step)
            await state.flushTurn.release()
        } catch {
            await state.flushTurn.release()
            throw error
        }
    }

    private static func writePending(_ state: RunState, client: KubeClient, playbook: String, shards: Int, step: String?) async throws {
        if let step, !state.ledgerReady.withLock({ $0 }) || !state.pending.withLock({ $0.contains { $0.step == step } }) { return }
        let batch = state.pending.withLock { pending -> [RunState.Pending] in
            defer { pending.removeAll() }
            return pending
        }
        let digester = Digester(key: state.key.withLock { $0 })
        let records = batch.compactMap { item -> (step: String, record: Ledger.Record)? in
            guard let digest = digester.digest(type: item.type, version: item.version, parameters: item.parameters) else { return nil }
            return (item.step, Ledger.Record(digest: digest, completedAt: Ledger.timestamp(), type: item.type, version: item.version,
                                             objects: item.objects))
        }
        guard !records.isEmpty else { return }
        do {
            try await Ledger.record(client, playbook: playbook, shards: shards, records)
        } catch {
            // Keep what was not recorded; the next flush (or the next run, which redoes it) tries again.
            state.pending.withLock { $0.append(contentsOf: batch) }
            throw error
        }
    }
}
