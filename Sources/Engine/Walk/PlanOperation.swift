import Graph
import Document
import FoundationEssentials
import Host
import Kube
import Platform
import Synchronization

// Plan: every step node computes its change set against live state. The host is wrapped so no
// command with side effects can run, and the only requests with a body are server-side dry runs.
extension Walker {
    func plan(_ start: WalkStart) async throws -> PlanReport {
        let playbook = start.playbook
        let planned = Mutex<[String: PlanReport.PlannedStep]>([:])
        let failure = Mutex<StepFailure?>(nil)
        // One step at a time, in the graph's stable order, so plans read the same on every run.
        _ = await Executor(parallel: 1).run(playbook.graph) { id -> StepOutcome in
            guard failure.withLock({ $0 == nil }) else { return .failed("not planned") }
            do {
                let step = try await planStep(playbook.steps[id]!, decision: start.decisions[id]!, start)
                planned.withLock { $0[id] = step }
                return .skipped
            } catch {
                let stepFailure = error as? StepFailure ?? StepFailure(step: id, message: SystemError.message(of: error))
                failure.withLock { $0 = stepFailure }
                return .failed(stepFailure.message)
            }
        }
        if let failure = failure.withLock({ $0 }) { throw failure }
        var steps = planned.withLock { planned in playbook.graph.order.map { planned[$0]! } }
        for (id, record) in start.removed {
            var step = PlanReport.PlannedStep(id: id, type: record.type, action: .run, reason: "no longer in the playbook",
                                              host: [], objects: [], deletions: [], warnings: [])
            step.prune = Prune(recorded: record.objects, wanted: [], deletedByStep: [])
            step.removed = true
            step.recorded = true
            if record.objects == nil {
                step.warnings.append("recorded before bootstrap listed what steps write: its objects are not known, so none are deleted")
            }
            steps.append(step)
        }
        return PlanReport(playbook: playbook.name, steps: steps, clusterReachable: start.kube != nil,
                          requests: start.kube?.stats ?? RequestStats())
    }

    func planStep(_ step: CheckedPlaybook.Step, decision: Decision, _ start: WalkStart) async throws -> PlanReport.PlannedStep {
        let context = context(step, start.playbook, mode: .plan, kube: start.kube, digester: Digester(key: start.key))
        func result(_ decision: Decision, _ plan: ChangeSet = ChangeSet(), objects: [PlanReport.PlannedObject] = [],
                    prune: Prune = Prune()) -> PlanReport.PlannedStep {
            var planned = PlanReport.PlannedStep(id: step.id, type: step.type.name, action: decision.action, reason: decision.reason,
                                                 host: plan.host, objects: objects, deletions: plan.deletions, warnings: plan.warnings)
            planned.prune = prune
            planned.preparations = plan.preparations
            planned.recorded = start.records[step.id] != nil
            return planned
        }
        var decision = decision
        if decision.action == .skip && !decision.needsVerification(options.verify) { return result(decision) }
        if start.kube == nil && step.type.target == .cluster {
            // No API yet: show what would be created once the cluster is up.
            let plan = try await step.driver.check(context)
            let provider = start.playbook.orderedSteps.first { $0.type.providesCluster }?.id
            let after = provider.map { " (runs after \"\($0)\" has brought up the cluster)" } ?? " (the Kubernetes API is not reachable)"
            return result(Decision(action: .run, reason: decision.reason + after), plan,
                          objects: plan.objects.map { Self.planned(context.stamped($0), live: nil, result: nil) })
        }
        let plan = try await step.driver.check(context)
        if decision.needsVerification(options.verify) {
            decision = decision.verified(drift: try await step.driver.verify(plan, context))
            if decision.action == .skip { return result(decision) }
        }
        var objects: [PlanReport.PlannedObject] = []
        for object in plan.objects {
            let stamped = context.stamped(object)
            guard let kube = start.kube, let ref = ObjectRef(stamped) else {
                objects.append(Self.planned(stamped, live: nil, result: nil))
                continue
            }
            do {
                let live = try await kube.get(ref)
                if let live, let preparation = plan.preparations.first(where: { $0.ref == ref }) {
                    objects.append(Self.prepared(stamped, live: live, preparation))
                    continue
                }
                // Unforced first: a conflict names the managers whose fields the forced apply takes over.
                var takeovers: [String] = []
                let result: Value
                do {
                    result = try await kube.apply(stamped, dryRun: true, force: live == nil)
                } catch let conflict as KubeError where conflict.reason == .conflict && !conflict.causes.isEmpty {
                    takeovers = conflict.causes.map(\.message)
                    result = try await kube.apply(stamped, dryRun: true)
                }
                var object = Self.planned(stamped, live: live, result: result)
                object.takeovers = takeovers
                objects.append(object)
            } catch let error as KubeError where error.reason == .notFound || error.reason == .unknownKind {
                // Its namespace or CRD comes from a step that has not run yet: known after apply.
                var object = Self.planned(stamped, live: nil, result: nil)
                object.diff = ["(not dry-run: \(error.reason == .unknownKind ? "its kind is not served yet" : error.message))"]
                objects.append(object)
            }
        }
        let wanted = start.records[step.id]?.objects == nil ? [] : try await start.kube?.normalizedRefs(plan.objects) ?? []
        return result(decision, plan, objects: objects, prune: try await prune(step.id, wanted: wanted, plan, start.kube, start))
    }

    /// An object replaced or patched before its apply: not dry-run, since the server would judge
    /// it against the object before that change (and refuse a Job's new pod template); its fields
    /// that differ from the live object are listed.
    static func prepared(_ desired: Value, live: Value, _ preparation: ObjectPreparation) -> PlanReport.PlannedObject {
        var object = planned(desired, live: nil, result: nil)
        if case .replace = preparation { object.action = .replace } else { object.action = .update }
        object.diff = Diff.missing(Diff.asStored(desired), in: live).map { "~ \($0) (differs)" }
        return object
    }

    static func planned(_ desired: Value, live: Value?, result: Value?) -> PlanReport.PlannedObject {
        let action: PlanReport.PlannedObject.Action
        var changes: [FieldChange] = []
        if let live {
            changes = ObjectDiff.changes(from: Redaction.redact(live, sensitiveIn: desired),
                                         to: Redaction.redact(result ?? desired, sensitiveIn: desired))
            // Secret values are redacted on both sides; compare them for real to see a change.
            let changed = !changes.isEmpty || !ObjectDiff.changes(from: live, to: result ?? desired).isEmpty
            if changed && changes.isEmpty {
                changes = [FieldChange(path: "data", before: .string(Redaction.placeholder), after: .string("(sensitive value changed)"))]
            }
            action = changed ? .update : .unchanged
        } else {
            action = .create
        }
        var object = PlanReport.PlannedObject(
            apiVersion: desired["apiVersion"]?.stringValue ?? "", kind: desired["kind"]?.stringValue ?? "",
            namespace: desired[path: ["metadata", "namespace"]]?.stringValue, name: desired[path: ["metadata", "name"]]?.stringValue ?? "",
            action: action, desired: Redaction.redact(desired), diff: changes.flatMap(\.lines))
        object.changes = changes
        return object
    }
}
