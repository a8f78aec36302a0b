import Engine
import Host

/// `--lock-timeout`: how long a run waits for a lock another run holds (the node's, a rehearsal
/// directory's, or the cluster's Lease) before it gives up with exit 75.
struct LockWait: Sendable {
    var seconds: Int
    /// Says once that the run waits, and for what.
    var note: @Sendable (String) -> Void

    /// No waiting: a held lock ends the run at once.
    static let none = LockWait(seconds: 0, note: { _ in })

    /// Runs `body` again every 2 s while it fails on a held lock, until the timeout has passed.
    /// A held lock stops a run before its first write or its next step, so the retry starts it over.
    func retrying<T>(_ body: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var told = false
        while true {
            do {
                return try await body()
            } catch let error where (error is RunLease.Held || error is RunLock.Held) && ContinuousClock.now < deadline {
                if !told {
                    note("waiting up to \(seconds)s for the lock: \(error)")
                    told = true
                }
                try await Task.sleep(for: .seconds(2))
            }
        }
    }
}
