import Synchronization

/// An operator's request to stop a run (SIGINT, SIGTERM): no step starts after it; running steps
/// end on their own (their commands were signalled), then the run records what finished and releases its lock.
public final class Interruption: Sendable {
    private let triggered = Mutex(false)

    public init() {}

    public func trigger() { triggered.withLock { $0 = true } }

    public var isTriggered: Bool { triggered.withLock { $0 } }
}
