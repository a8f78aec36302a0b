import Document
import Host
import Kube

/// What `plan` found: for each step whether it runs and what it would change.
public struct PlanReport: Sendable {
    /// One object as it would be applied, with its field-level changes.
    public struct PlannedObject: Sendable {
        /// `replace`: deleted and created again (``ObjectPreparation/replace(_:reason:)``).
        public enum Action: String, Sendable { case create, update, replace, unchanged }
        public var apiVersion: String
        public var kind: String
        public var namespace: String?
        public var name: String
        public var action: Action
        /// The full object as it would be applied, secrets redacted.
        public var desired: Value
        /// Field-level changes against the live object as plan prints them, secrets redacted.
        public var diff: [String]
        /// The same changes with whole values, for JSON, secrets redacted.
        public var changes: [FieldChange] = []
        /// Fields another field manager owns that applying takes over (`conflict with "kubectl": .data.x`).
        public var takeovers: [String] = []
    }

    /// One step's decision and the changes it would make.
    public struct PlannedStep: Sendable {
        public var id: String
        public var type: String
        public var action: Decision.Action
        public var reason: String
        public var host: [HostChange]
        public var objects: [PlannedObject]
        /// Objects the step itself deletes (rbac.oidc revoking a grant).
        public var deletions: [ObjectRef]
        /// Live objects replaced or patched before the objects are applied.
        public var preparations: [ObjectPreparation] = []
        public var warnings: [String]
        /// What the step wrote before and no longer wants: deleted, or kept because it holds data.
        public var prune = Prune()
        /// The step is no longer in the playbook: only its objects are deleted (host changes stay).
        public var removed = false
        /// The ledger has a record of it: running it changes what an earlier run made.
        public var recorded = false

        /// The host changes as shell lines.
        public var hostLines: [String] { host.flatMap(\.lines) }
    }

    public var playbook: String
    public var steps: [PlannedStep]
    public var clusterReachable: Bool
    public var requests: RequestStats
    /// The checks of the node before the first change.
    public var preflight: [PreflightCheck] = []
    /// A rehearsal: placeholders are accepted.
    public var rehearsal = false

    /// True when applying would change something: a step that runs is recorded (or its record
    /// removed) when it completes, so it changes the ledger whatever its object diff says. A step
    /// whose rollout failed applied its objects but was not recorded: its re-run shows no object
    /// change, and must still run (``Decision``).
    public var hasChanges: Bool { steps.contains { $0.action == .run } }
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
