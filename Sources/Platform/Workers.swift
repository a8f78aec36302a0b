#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// A few long-lived threads started by ``Blocking/thread(name:stackSize:_:)``, each owning a
/// resource made on it (a curl handle with its connections), that run submitted jobs in order.
///
/// The Condition here is the blocking facility's own implementation detail: threads outside the
/// cooperative pool may wait on it; nothing else in the package needs a condition.
public final class Workers<Resource>: @unchecked Sendable {
    private let condition = Condition()
    private var jobs: [(Resource) -> () -> Void] = []
    private var threads = 0
    private var idle = 0
    private var stopping = false
    private let maxThreads: Int
    private let name: String
    private let makeResource: @Sendable () -> Resource

    public init(name: String, maxThreads: Int, makeResource: @escaping @Sendable () -> Resource) {
        self.name = name
        self.maxThreads = max(1, maxThreads)
        self.makeResource = makeResource
    }

    /// Queues `job`; it runs on a worker thread with that thread's resource, and what it returns
    /// runs once that thread counts as free again: a caller woken there (a continuation resumed)
    /// that submits its next job finds the same thread, and so the same connection, rather than a
    /// new thread with a new TLS handshake.
    public func submit(_ job: @escaping (Resource) -> () -> Void) {
        condition.lock()
        jobs.append(job)
        // Threads start on demand, so one job at a time uses one thread (and one connection).
        let spawn = idle < jobs.count && threads < maxThreads
        if spawn { threads += 1 }
        condition.signal()
        condition.unlock()
        if spawn { Blocking.thread(name: name) { [self] in work() } }
    }

    /// Lets the threads finish queued jobs, drop their resources and exit; returns once they have
    /// (or after ten seconds). Called from a worker thread itself it does not wait, since a thread
    /// cannot wait for itself (the last reference may be dropped inside a job).
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        if !WorkerMarker.isSet {
            let deadline = Condition.now() + 10
            while threads > 0, condition.wait(until: deadline) {}
        }
        condition.unlock()
    }

    private func work() {
        WorkerMarker.set()
        do {
            let resource = makeResource()
            condition.lock()
            idle += 1
            condition.unlock()
            while let job = nextJob() {
                let finish = job(resource)
                condition.lock()
                idle += 1
                condition.unlock()
                finish()
            }
            withExtendedLifetime(resource) {}
        }
        // The resource is released above, before shutdown() may return.
        condition.lock()
        threads -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next job, the thread no longer counted free; nil once stopping with nothing queued.
    private func nextJob() -> ((Resource) -> () -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !stopping { condition.wait() }
        idle -= 1
        return jobs.isEmpty ? nil : jobs.removeFirst()
    }
}

/// Marks the threads of every Workers pool, so shutdown() called on one of them does not wait:
/// a thread-specific value, set once on each worker thread and never cleared (the thread ends).
private enum WorkerMarker {
    static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var isSet: Bool { pthread_getspecific(key) != nil }
    static func set() { pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1)) }
}
