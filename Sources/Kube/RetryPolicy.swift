/// Which failed requests are tried again, and how long to wait in between.
public struct RetryPolicy: Sendable {
    /// No retry starts once this much time has passed since the first attempt.
    public var deadline: Duration
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(deadline: Duration = .seconds(30), baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(5)) {
        self.deadline = deadline
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Whether a request that failed like `error` may be sent again.
    ///
    /// 429 and refused connections mean the server never processed the request, so any verb may
    /// retry; 5xx, resets and timeouts may have had effects, so only idempotent verbs (all but POST).
    /// 409 and the other 4xx are answers, not accidents: they go back to the caller at once.
    public func shouldRetry(_ error: KubeError, method: String) -> Bool {
        let idempotent = method != "POST"
        switch error.reason {
        case .tooManyRequests: return true
        case .transport(let failure):
            return failure.transient && (idempotent || failure.neverSent)
        case .invalid, .badRequest:
            // An answer about the request itself (e.g. an undeclared field, sent as a 500): the same
            // request fails the same way again.
            return false
        default:
            guard let code = error.code, code >= 500 else { return false }
            return idempotent && code != 501
        }
    }

    /// The pause after failed attempt `attempt` (1-based): the server's Retry-After when it sent
    /// one, otherwise exponential backoff with full jitter (`random` in 0..<1) so that parallel
    /// steps do not retry in lockstep.
    public func delay(afterAttempt attempt: Int, retryAfter: Int?, random: Double) -> Duration {
        if let retryAfter { return .seconds(max(0, retryAfter)) }
        let exponent = min(attempt - 1, 20)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        return ceiling * max(0, min(random, 1))
    }
}

/// Time as the retry loop sees it; tests substitute a virtual clock so nothing waits for real.
public struct RetryClock: Sendable {
    /// Time since an arbitrary fixed point.
    public var now: @Sendable () -> Duration
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Uniform in 0..<1, for jitter.
    public var random: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void,
                random: @escaping @Sendable () -> Double) {
        self.now = now
        self.sleep = sleep
        self.random = random
    }

    /// The real clock.
    public static var system: RetryClock {
        let clock = ContinuousClock()
        let start = clock.now
        return RetryClock(now: { clock.now - start }, sleep: { try await Task.sleep(for: $0) },
                          random: { Double.random(in: 0..<1) })
    }
}
