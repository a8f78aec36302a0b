import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Waiting for SIGINT or SIGTERM instead of dying of them, so a server can save its state first.
public enum Interrupts {
    /// Returns at the first SIGINT or SIGTERM after the call; both are ignored from then on.
    public static func next() async {
        let (interrupted, signalled) = AsyncStream<Void>.makeStream()
        let sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { signalled.yield() }
            source.resume()
            return source
        }
        for await _ in interrupted { break }
        sources.forEach { $0.cancel() }
    }
}
