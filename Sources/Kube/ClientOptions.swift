/// Timeouts, retries and connection limits of a ``KubeClient``.
public struct ClientOptions: Sendable {
    /// No retry starts after this much time since a request's first attempt.
    public var retryDeadline: Duration
    public var connectTimeout: Duration
    /// Limit for one attempt, from connecting to the last byte.
    public var requestTimeout: Duration
    /// Concurrent requests (threads and connections); more wait their turn.
    public var maxConnections: Int
    /// The field manager of server-side apply: bootstrap owns what it applies.
    public var fieldManager: String
    /// Told of each retry before its pause, so a person sees why nothing seems to happen.
    public var onRetry: (@Sendable (RetryNotice) -> Void)?

    public init(retryDeadline: Duration = .seconds(20), connectTimeout: Duration = .seconds(10),
                requestTimeout: Duration = .seconds(60), maxConnections: Int = 4, fieldManager: String = "bootstrap",
                onRetry: (@Sendable (RetryNotice) -> Void)? = nil) {
        self.onRetry = onRetry
        self.retryDeadline = retryDeadline
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
        self.fieldManager = fieldManager
    }
}

/// A request that failed and is about to be sent again.
public struct RetryNotice: Sendable, CustomStringConvertible {
    public var method: String
    /// The path without its query.
    public var path: String
    /// Why it failed, briefly: `connection refused`, `503 ServiceUnavailable`.
    public var reason: String
    /// The attempt that failed (1-based).
    public var attempt: Int
    /// The pause before the next attempt.
    public var pause: Duration

    /// `retrying GET /api/v1/namespaces: connection refused (attempt 3, next in 1.6s)`
    public var description: String {
        let seconds = Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18
        let rounded = (seconds * 10).rounded() / 10
        return "retrying \(method) \(path): \(reason) (attempt \(attempt), next in \(rounded)s)"
    }
}
