import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// Waiting for SIGINT or SIGTERM instead of dying of them, so a server can save its state first
/// and an apply can stop its children and release its lock.
public enum Interrupts {
    /// The signals an operator stops a run with.
    public enum Signal: Sendable, Equatable {
        case interrupt, terminate

        public var number: Int32 { self == .interrupt ? SIGINT : SIGTERM }
        /// The shell's exit status of a process the signal ended: 130 or 143.
        public var exitStatus: Int32 { 128 + number }
        public var name: String { self == .interrupt ? "SIGINT" : "SIGTERM" }
    }

    /// SIGKILL's number, for ``Children/stop(signalling:)``.
    public static let kill: Int32 = SIGKILL

    /// Returns at the first SIGINT or SIGTERM after the call; both are ignored from then on.
    public static func next() async {
        let (interrupted, signalled) = AsyncStream<Void>.makeStream()
        let handling = handle { _, _ in signalled.yield() }
        for await _ in interrupted { break }
        handling.cancelSources()
    }

    /// Receives SIGINT and SIGTERM from now on, calling `handler` with the signal and how many have
    /// arrived so far (1 for the first), on a dispatch thread, until ``Handling/restore()``.
    public static func handle(_ handler: @escaping @Sendable (Signal, Int) -> Void) -> Handling {
        let count = Mutex(0)
        let sources = [Signal.interrupt, .terminate].map { kind in
            signal(kind.number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: kind.number, queue: .global())
            source.setEventHandler {
                let n = count.withLock { n in n += 1; return n }
                handler(kind, n)
            }
            source.resume()
            return source
        }
        return Handling(sources: sources)
    }

    /// Signal handling in force; ``restore()`` gives both signals their default action back.
    public final class Handling: Sendable {
        nonisolated(unsafe) let sources: [any DispatchSourceSignal]
        init(sources: [any DispatchSourceSignal]) { self.sources = sources }

        func cancelSources() { sources.forEach { $0.cancel() } }

        public func restore() {
            cancelSources()
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
    }
}
