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

    public init(retryDeadline: Duration = .seconds(20), connectTimeout: Duration = .seconds(10),
                requestTimeout: Duration = .seconds(60), maxConnections: Int = 4, fieldManager: String = "bootstrap") {
        self.retryDeadline = retryDeadline
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
        self.fieldManager = fieldManager
    }
}
