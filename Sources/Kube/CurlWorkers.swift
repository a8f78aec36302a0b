import Foundation

/// A few dedicated threads, each owning one curl easy handle, that run the blocking
/// curl_easy_perform calls. Blocking the Swift cooperative pool instead would stall every task on
/// a two-core machine; one handle per thread keeps connections alive for the whole run.
final class CurlWorkers: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [(CurlEasy) -> Void] = []
    private var threads = 0
    private var idle = 0
    private var stopping = false
    private let maxThreads: Int

    init(maxThreads: Int) { self.maxThreads = max(1, maxThreads) }

    /// Queues `job`; it runs on a worker thread with that thread's handle.
    func submit(_ job: @escaping (CurlEasy) -> Void) {
        condition.lock()
        jobs.append(job)
        // Threads start on demand, so a run with one request at a time uses one thread and one connection.
        let spawn = idle < jobs.count && threads < maxThreads
        if spawn { threads += 1 }
        condition.signal()
        condition.unlock()
        if spawn {
            let thread = Thread { [self] in work() }
            thread.name = "kube-curl"
            thread.start()
        }
    }

    /// Lets the threads finish queued jobs, free their handles and exit; returns once they have.
    ///
    /// Waiting matters: a handle freed while the process exits races libcurl's and OpenSSL's own
    /// exit-time cleanup, which aborts the process now and then.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        // A worker thread cannot wait for itself (the last reference may be dropped inside a job).
        if Thread.current.threadDictionary[Self.marker] == nil {
            let deadline = Date().addingTimeInterval(10)
            while threads > 0, condition.wait(until: deadline) {}
        }
        condition.unlock()
    }

    private static let marker = "bootstrap.kube-curl-worker"

    private func work() {
        Thread.current.threadDictionary[Self.marker] = true
        do {
            let easy = CurlEasy()
            while let job = nextJob() { job(easy) }
            withExtendedLifetime(easy) {}
        }
        // The handle is freed above, before shutdown() may return.
        condition.lock()
        threads -= 1
        condition.broadcast()
        condition.unlock()
    }

    private func nextJob() -> ((CurlEasy) -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        idle += 1
        while jobs.isEmpty && !stopping { condition.wait() }
        idle -= 1
        return jobs.isEmpty ? nil : jobs.removeFirst()
    }
}

/// The production transport: libcurl with verified TLS, HTTP/2 when offered, connection reuse.
public final class CurlTransport: HTTPTransport {
    private let workers: CurlWorkers
    private let settings: CurlSettings

    public init(tls: TLSSettings, connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(60),
                maxConnections: Int = 4) {
        workers = CurlWorkers(maxThreads: maxConnections)
        settings = CurlSettings(tls: tls, connectTimeout: connectTimeout, requestTimeout: requestTimeout)
    }

    deinit { workers.shutdown() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let settings = settings
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
            workers.submit { easy in
                continuation.resume(with: easy.perform(request, settings).mapError { $0 })
            }
        }
    }
}
