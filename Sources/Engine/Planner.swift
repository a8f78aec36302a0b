import Document
import Foundation
import Host
import Kube

/// What `plan` found: for each step whether it runs and what it would change.
public struct PlanReport: Sendable {
    public struct PlannedObject: Sendable {
        public enum Action: String, Sendable { case create, update, unchanged }
        public var apiVersion: String
        public var kind: String
        public var namespace: String?
        public var name: String
        public var action: Action
        /// The full object as it would be applied, secrets redacted.
        public var desired: Value
        /// Field-level changes against the live object, secrets redacted.
        public var diff: [String]
    }

    public struct PlannedStep: Sendable {
        public var id: String
        public var type: String
        public var action: Decision.Action
        public var reason: String
        public var hostActions: [String]
        public var objects: [PlannedObject]
        public var warnings: [String]
    }

    public var playbook: String
    public var steps: [PlannedStep]
    public var clusterReachable: Bool
    public var requests: RequestStats

    /// True when applying would change something.
    public var hasChanges: Bool {
        steps.contains { $0.action == .run && (!$0.hostActions.isEmpty || $0.objects.contains { $0.action != .unchanged } || $0.objects.isEmpty) }
    }
}

/// Computes a plan: reads the ledger and live state, and changes nothing.
///
/// The host is wrapped so that no command with side effects can run, and the only requests with a
/// body are server-side dry runs.
public struct Planner: Sendable {
    public var host: any HostSystem
    public var connection: Connection
    public var verify: Bool
    public var forceSteps: Set<String>

    public init(host: any HostSystem, connection: Connection, verify: Bool = false, forceSteps: Set<String> = []) {
        self.host = host
        self.connection = connection
        self.verify = verify
        self.forceSteps = forceSteps
    }

    public func plan(_ playbook: CheckedPlaybook) async throws -> PlanReport {
        let kube = try await connection.connect()
        var records: [String: Ledger.Record] = [:]
        var key: Data?
        if let kube {
            records = try await Ledger.readOrExplain(kube, playbook: playbook.name)
            if playbook.usesSecrets { key = try await Ledger.key(kube, create: false) }
        }
        let digester = Digester(key: key)
        let installer = playbook.orderedSteps.first { $0.type.name == "k3s.install" }?.id

        var steps: [PlanReport.PlannedStep] = []
        for id in playbook.graph.order {
            let step = playbook.steps[id]!
            let digest = digester.digest(type: step.type.name, version: step.type.version, parameters: step.parameters.value)
            var decision = Decision.make(record: records[id], digest: digest, forced: forceSteps.contains(id))
            let context = StepContext(stepID: id, mode: .plan, host: PlanHost(wrapping: host), kube: kube,
                                      connect: { kube }, progress: { _ in }, waitTimeout: .seconds(0), playbookName: playbook.name)
            if decision.action == .skip && !verify {
                steps.append(.init(id: id, type: step.type.name, action: Decision.Action.skip, reason: decision.reason, hostActions: [], objects: [], warnings: []))
                continue
            }
            if kube == nil && step.type.target == .cluster {
                // No API yet: show what would be created once k3s is up.
                let plan = try await step.driver.check(context)
                let objects = plan.objects.map { planned(context.stamped($0), live: nil, result: nil) }
                let after = installer.map { " (runs after \"\($0)\" has installed k3s)" } ?? " (the Kubernetes API is not reachable)"
                steps.append(.init(id: id, type: step.type.name, action: .run, reason: decision.reason + after,
                                   hostActions: plan.hostActions, objects: objects, warnings: plan.warnings))
                continue
            }
            let plan: StepPlan
            do {
                plan = try await step.driver.check(context)
            } catch {
                throw StepFailure(step: id, message: "\(error)")
            }
            if decision.action == .skip {
                let drift = try await step.driver.verify(plan, context)
                if drift.isEmpty {
                    steps.append(.init(id: id, type: step.type.name, action: Decision.Action.skip, reason: decision.reason + ", verified",
                                       hostActions: [], objects: [], warnings: []))
                    continue
                }
                decision = Decision(action: .run, reason: "drifted: " + drift.joined(separator: "; "))
            }
            var objects: [PlanReport.PlannedObject] = []
            for object in plan.objects {
                let stamped = context.stamped(object)
                guard let kube, let ref = ObjectRef(stamped) else {
                    objects.append(planned(stamped, live: nil, result: nil))
                    continue
                }
                do {
                    let live = try await kube.get(ref)
                    let result = try await kube.apply(stamped, dryRun: true)
                    objects.append(planned(stamped, live: live, result: result))
                } catch let error as KubeError where error.reason == .notFound || error.reason == .unknownKind {
                    // Its namespace or CRD comes from a step that has not run yet: known after apply.
                    var object = planned(stamped, live: nil, result: nil)
                    object.diff = ["(not dry-run: \(error.reason == .unknownKind ? "its kind is not served yet" : error.message))"]
                    objects.append(object)
                } catch {
                    throw StepFailure(step: id, message: "\(error)")
                }
            }
            steps.append(.init(id: id, type: step.type.name, action: .run, reason: decision.reason,
                               hostActions: plan.hostActions, objects: objects, warnings: plan.warnings))
        }
        return PlanReport(playbook: playbook.name, steps: steps, clusterReachable: kube != nil, requests: kube?.stats ?? RequestStats())
    }

    func planned(_ desired: Value, live: Value?, result: Value?) -> PlanReport.PlannedObject {
        let action: PlanReport.PlannedObject.Action
        var diff: [String] = []
        if let live {
            diff = ObjectDiff.lines(from: Redaction.redact(live, sensitiveIn: desired), to: Redaction.redact(result ?? desired, sensitiveIn: desired))
            // Secret values are redacted on both sides; compare them for real to see a change.
            let changed = !diff.isEmpty || ObjectDiff.lines(from: live, to: result ?? desired).count > 0
            if changed && diff.isEmpty { diff = ["~ data: (sensitive) -> (sensitive)"] }
            action = changed ? .update : .unchanged
        } else {
            action = .create
        }
        return PlanReport.PlannedObject(
            apiVersion: desired["apiVersion"]?.stringValue ?? "", kind: desired["kind"]?.stringValue ?? "",
            namespace: desired[path: ["metadata", "namespace"]]?.stringValue, name: desired[path: ["metadata", "name"]]?.stringValue ?? "",
            action: action, desired: Redaction.redact(desired), diff: diff)
    }
}

/// A step's failure as the operator sees it: the step id, then what went wrong.
public struct StepFailure: Error, Sendable, CustomStringConvertible {
    public var step: String
    public var message: String
    public init(step: String, message: String) {
        self.step = step
        self.message = message
    }
    public var description: String { "step \"\(step)\": \(message)" }
}
