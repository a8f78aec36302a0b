import Engine
import Platform
import Synchronization

/// SIGINT and SIGTERM during an apply: no new step or command starts, running commands get the
/// signal (their whole process group), and the run ends as soon as they have; after a bound, or at
/// a second signal, the commands are killed and waiting steps cancelled.
final class RunInterrupts: Sendable {
    /// How long running commands get to end after the signal was forwarded.
    static let grace: Duration = .seconds(10)

    let interruption = Interruption()
    private let received = Mutex<Interrupts.Signal?>(nil)
    private let run = Mutex<Task<ApplyReport, any Error>?>(nil)
    private let handling = Mutex<Interrupts.Handling?>(nil)

    /// The first signal received, if any.
    var signal: Interrupts.Signal? { received.withLock { $0 } }

    /// Runs `work` with SIGINT and SIGTERM handled as above; restores their default action after.
    func during(_ work: @escaping @Sendable () async throws -> ApplyReport) async throws -> ApplyReport {
        // Handled before any work starts, so no signal falls between the default action and the handler.
        handling.withLock { $0 = Interrupts.handle { [self] signal, count in self.received(signal, count) } }
        defer { handling.withLock { $0?.restore() } }
        let task = Task { try await work() }
        run.withLock { $0 = task }
        // A signal before the task was stored: it is cancelled here, not by the handler.
        if received.withLock({ $0 }) != nil, interruption.isTriggered, killed.withLock({ $0 }) { task.cancel() }
        return try await task.value
    }

    private func received(_ signal: Interrupts.Signal, _ count: Int) {
        if count == 1 {
            received.withLock { $0 = signal }
            interruption.trigger()
            let signalled = Children.stop(signalling: signal.number)
            Console.err("\(signal.name): stopping; no new step starts"
                + (signalled > 0 ? ", \(signalled) running command\(signalled == 1 ? "" : "s") got the signal "
                    + "(up to \(Self.grace.components.seconds)s to end; Ctrl-C again ends them now)" : ""))
            Task { [self] in
                try? await Task.sleep(for: Self.grace)
                self.killNow()
            }
        } else {
            Console.err("\(signal.name) again: killing running commands")
            killNow()
        }
    }

    private let killed = Mutex(false)

    private func killNow() {
        killed.withLock { $0 = true }
        Children.stop(signalling: Interrupts.kill)
        run.withLock { $0?.cancel() }
    }
}
