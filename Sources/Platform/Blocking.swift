import Foundation

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

    /// Starts a long-lived thread (an accept loop, a connection, a worker) running `body`.
    public static func thread(name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { body() }
        thread.name = name
        if let stackSize { thread.stackSize = stackSize }
        thread.start()
    }
}
