import Graph

/// How one step of a run ended.
public enum StepOutcome: StepResult, Equatable {
    /// Its effect was made and verified (and recorded).
    case applied
    /// Already done: recorded with an unchanged digest.
    case skipped
    case failed(String)
    /// Not run because a step it needs failed.
    case blocked(by: String)
    /// Not started: the run was interrupted first.
    case notStarted
    /// Left out by `--only` or `--skip` (the reason says which): neither run nor checked.
    case notSelected(String)
    /// Stopped by Ctrl-C or SIGTERM while it ran (with how its command ended): not recorded, the re-run redoes it.
    case interrupted(String)

    /// Applied, already done or left out (taken as done): the steps that need it may run; a
    /// failed, blocked, unstarted or interrupted step blocks them.
    public var unblocksDependents: Bool {
        switch self {
        case .applied, .skipped, .notSelected: return true
        case .failed, .blocked, .notStarted, .interrupted: return false
        }
    }

    public var word: String {
        switch self {
        case .applied: return "applied"
        case .skipped: return "skipped"
        case .failed: return "failed"
        case .blocked: return "blocked"
        case .notStarted: return "not started"
        case .notSelected: return "not selected"
        case .interrupted: return "interrupted"
        }
    }
}
