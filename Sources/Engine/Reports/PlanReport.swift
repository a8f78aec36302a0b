import Document
import Host
import Kube

/// What `plan` found: for each step whether it runs and what it would change.
public struct PlanReport: Sendable {
    /// One object as it would be applied, with its field-level changes.
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

    /// One step's decision and the changes it would make.
    public struct PlannedStep: Sendable {
        public var id: String
        public var type: String
        public var action: Decision.Action
        public var reason: String
        public var host: [HostChange]
        public var objects: [PlannedObject]
        public var deletions: [ObjectRef]
        public var warnings: [String]

        /// The host changes as shell lines.
        public var hostLines: [String] { host.flatMap(\.lines) }
    }

    public var playbook: String
    public var steps: [PlannedStep]
    public var clusterReachable: Bool
    public var requests: RequestStats

    /// True when applying would change something.
    public var hasChanges: Bool {
        steps.contains { step in
            step.action == .run && (!step.host.isEmpty || !step.deletions.isEmpty || step.objects.isEmpty
                || step.objects.contains { $0.action != .unchanged })
        }
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
