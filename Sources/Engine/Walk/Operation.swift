import FoundationEssentials

/// What one walk over the step graph does at each step.
public enum Operation: Sendable {
    /// Computes each step's changes from live state; writes nothing.
    case plan
    /// Runs the steps that are not done, records each once its effect is verified.
    case apply
    /// Compares the ledger with the playbook; touches no step.
    case status
}

/// How a walk runs: the command line's switches.
public struct WalkOptions: Sendable {
    /// How many independent steps may run at once (apply).
    public var parallel: Int
    /// `--parallel`'s default. Ten (Terraform's) was tried: on the two-core test node, FAF's rollouts
    /// ten at a time left other pods' probes failing for want of CPU, and the first apply was no
    /// faster against the real API server (docs/performance.md, "First apply").
    public static let defaultParallel = 4
    /// Check recorded steps against live state, and redo drifted ones.
    public var verify: Bool
    /// Steps that run even when recorded.
    public var forceSteps: Set<String>
    /// Rehearsal only: this step fails before it does anything.
    public var failStep: String?
    /// How long a step may wait for something to become ready.
    public var waitTimeout: Duration
    /// Who holds the run's lease.
    public var identity: String
    /// `--only` and `--skip`.
    public var targeting: Targeting
    /// Set by an interruption: no further step starts.
    public var interruption: Interruption
    /// `--recopy`: data copies to redo on purpose (their steps must be in ``forceSteps`` too).
    public var recopy: Set<String> = []
    /// A run on a real node and cluster (the command line without --rehearsal): the pre-flight
    /// refuses placeholders. Otherwise it accepts them and says so.
    public var realRun = false

    public init(parallel: Int = WalkOptions.defaultParallel, verify: Bool = false, forceSteps: Set<String> = [], failStep: String? = nil,
                waitTimeout: Duration = .seconds(300), identity: String = RunLease.localIdentity(),
                targeting: Targeting = Targeting(), interruption: Interruption = Interruption()) {
        self.targeting = targeting
        self.interruption = interruption
        self.parallel = parallel
        self.verify = verify
        self.forceSteps = forceSteps
        self.failStep = failStep
        self.waitTimeout = waitTimeout
        self.identity = identity
    }
}
