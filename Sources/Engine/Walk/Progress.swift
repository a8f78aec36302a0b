/// Something that happened during an apply, for the progress display.
public enum ProgressEvent: Sendable {
    case started(step: String)
    case waiting(step: String, on: String)
    case finished(step: String, outcome: StepOutcome, seconds: Double)
    case blocked(step: String, by: String)
}
