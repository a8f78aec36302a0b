import Platform

/// The production transport: libcurl with verified TLS, HTTP/2 when offered, connection reuse.
public final class CurlTransport: HTTPTransport {
    /// A few dedicated threads, each owning one curl easy handle, that run the blocking
    /// curl_easy_perform calls. Blocking the Swift cooperative pool instead would stall every task on
    /// a two-core machine; one handle per thread keeps connections alive for the whole run.
    private let workers: Workers<CurlEasy>
    private let settings: CurlSettings

    public init(tls: TLSSettings, connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(60),
                maxConnections: Int = 4, maxBodyBytes: Int = ResponseLimits.body) {
        workers = Workers(name: "kube-curl", maxThreads: maxConnections) { CurlEasy() }
        settings = CurlSettings(tls: tls, connectTimeout: connectTimeout, requestTimeout: requestTimeout, maxBodyBytes: maxBodyBytes)
    }

    // Waiting for the threads matters: a handle freed while the process exits races libcurl's and
    // OpenSSL's own exit-time cleanup, which aborts the process now and then.
    deinit { workers.shutdown() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if let missing = CurlLibrary.load() { throw missing }
        let settings = settings
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, Error>) in
            workers.submit { easy in
                let result = easy.perform(request, settings).mapError { $0 as any Error }
                return { continuation.resume(with: result) }
            }
        }
    }
}
