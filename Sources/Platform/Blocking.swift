#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif
import CSpawn

/// The one way blocking work leaves Swift's cooperative pool: a dedicated thread.
///
/// The pool has a thread per core (two on a small node); a blocking call there stalls every task.
/// Anything that waits on the kernel (curl, child processes, sockets, file-tree walks, timed
/// writes) runs on a thread started here instead.
public enum Blocking {
    /// Runs `work` on a thread of its own and resumes with its result.
    public static func run<T: Sendable>(name: String = "blocking", _ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            thread(name: name) { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Starts a long-lived, detached thread (an accept loop, a connection, a worker) running `body`.
    ///
    /// A pthread rather than Foundation's Thread: Thread is in the whole of Foundation, which the
    /// binary does not link (README, Performance).
    public static func thread(name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ThreadStart(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { raw in
            let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
            bs_set_thread_name(start.name)
            start.body()
            return nil
        }, box)
        // Without a thread the work could never run and its caller would wait forever.
        precondition(status == 0, "cannot start a thread (\(name)): \(String(cString: strerror(status)))")
    }
}

/// What a new thread runs, handed to it through pthread_create's one pointer.
private final class ThreadStart: Sendable {
    let name: String
    let body: @Sendable () -> Void
    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}
