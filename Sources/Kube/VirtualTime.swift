import Synchronization

/// Time that passes only when a wait sleeps. A rehearsal's client and its emulator share one, so
/// a rollout's settle window costs no real time while the emulated kubelet (which reads the same
/// time) moves its pods on as the waits go; tests use it so that nothing waits for real.
public final class VirtualTime: Sendable {
    private let elapsed = Mutex(Duration.zero)

    public init() {}

    /// Time since the start.
    public var now: Duration { elapsed.withLock { $0 } }

    /// Moves time on, as a sleep of `pause` would.
    public func advance(by pause: Duration) { elapsed.withLock { $0 += max(pause, .zero) } }

    /// A clock on this time: a sleep advances it at once and lets other tasks run.
    public var clock: RetryClock {
        RetryClock(now: { [self] in now }, sleep: { [self] pause in
            advance(by: pause)
            await Task.yield()
        }, random: { Double.random(in: 0..<1) })
    }
}
