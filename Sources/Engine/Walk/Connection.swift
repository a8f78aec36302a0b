import Kube

/// The run's way to the API server, which may appear partway through (after `k3s.install`).
public actor Connection {
    private let open: @Sendable () async throws -> KubeClient?
    private var onConnect: (@Sendable (KubeClient) async throws -> Void)?
    public private(set) var client: KubeClient?
    /// The hook's run: a caller that finds the client set waits for it, so no step writes (or
    /// records) before the lease is taken and the ledger exists.
    private var connected: Task<Void, any Error>?

    /// `open` returns a client when the API server is reachable, nil when it is not (yet).
    public init(open: @escaping @Sendable () async throws -> KubeClient?) {
        self.open = open
    }

    /// Runs once, when the API first becomes reachable (take the lease, flush pending records).
    public func whenConnected(_ body: @escaping @Sendable (KubeClient) async throws -> Void) {
        onConnect = body
    }

    /// Returns the client, trying to connect when there is none yet.
    @discardableResult
    public func connect() async throws -> KubeClient? {
        if let client { try await connected?.value; return client }
        guard let fresh = try await open() else { return nil }
        // The actor is re-entrant across the awaits below; the first caller to get here wins.
        if let client { try await connected?.value; return client }
        client = fresh
        if let hook = onConnect {
            onConnect = nil
            let run = Task { try await hook(fresh) }
            connected = run
            try await run.value
        }
        return fresh
    }
}
