import Document
import Kube

/// What `apply` did: each step's outcome and the requests it took.
public struct ApplyReport: Sendable {
    /// One step's outcome.
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
    /// The checks of the node before the first change (all passed, or placeholders a rehearsal accepted).
    public var preflight: [PreflightCheck] = []
    public var failed: [String] { steps.filter { if case .failed = $0.outcome { return true } else { return false } }.map(\.id) }
    public var blocked: [String] { steps.filter { if case .blocked = $0.outcome { return true } else { return false } }.map(\.id) }
}
