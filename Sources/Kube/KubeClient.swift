import Platform
import Document
import FoundationEssentials
import Logging
import Synchronization

/// A Kubernetes API client over libcurl: discovery-based paths, server-side apply, typed errors, retries.
public final class KubeClient: Sendable {
    public let config: KubeConfig
    public let options: ClientOptions
    let transport: any HTTPTransport
    let policy: RetryPolicy
    /// The time the client retries by; waits on the cluster (a rollout's) use it too, so a test or a
    /// rehearsal that substitutes it never waits for real.
    public let clock: RetryClock
    let logger: Logger
    let mapper = RESTMapper()
    private let counters = Mutex(RequestStats())
    private let fence = Mutex<(@Sendable () async throws -> Void)?>(nil)
    /// Reads started ahead (``prefetch(_:)``), each answering the first ``get(_:)`` of its object.
    private let ahead = Mutex<[ObjectRef: Task<Value?, any Error>]>([:])

    /// Writes made inside this task-local scope skip the fence: the lock's own renewal and release.
    @TaskLocal public static var unfenced = false

    /// Checked before every write attempt (retries included): a run that lost its lock must stop
    /// before its next write, never undo a newer run's work. nil removes the check.
    public func fenceWrites(_ check: (@Sendable () async throws -> Void)?) {
        fence.withLock { $0 = check }
    }

    /// A client for the kubeconfig's server over libcurl.
    public convenience init(config: KubeConfig, options: ClientOptions = ClientOptions(),
                            logger: Logger = Logger(label: "bootstrap.kube"), clock: RetryClock = .system) {
        let transport = CurlTransport(tls: config.tls, connectTimeout: options.connectTimeout,
                                      requestTimeout: options.requestTimeout, maxConnections: options.maxConnections)
        self.init(config: config, options: options, logger: logger, transport: transport, clock: clock)
    }

    /// A client over any transport, with an injectable clock so retry tests never wait.
    public init(config: KubeConfig, options: ClientOptions = ClientOptions(), logger: Logger = Logger(label: "bootstrap.kube"),
                transport: any HTTPTransport, clock: RetryClock = .system) {
        self.config = config
        self.options = options
        self.logger = logger
        self.transport = transport
        self.clock = clock
        policy = RetryPolicy(deadline: options.retryDeadline)
    }

    /// Requests made so far (every attempt, discovery included).
    public var stats: RequestStats { counters.withLock { $0 } }

    // MARK: - Operations

    /// The live object, or nil when it (or its kind) does not exist.
    public func get(_ ref: ObjectRef) async throws -> Value? {
        if let read = ahead.withLock({ $0.removeValue(forKey: ref) }), case .success(let value) = await read.result { return value }
        // Not read ahead, or that one attempt failed: read now, with the retries any request has.
        return try await fetch(ref)
    }

    private func fetch(_ ref: ObjectRef, retry: Bool = true) async throws -> Value? {
        guard let info = try await resource(apiVersion: ref.apiVersion, kind: ref.kind) else { return nil }
        let path = objectPath(info, namespace: ref.namespace, name: ref.name)
        return try await send("GET", path, allow404: true, retry: retry)
    }

    /// Starts reading these objects, one after the other (over one connection), while the caller
    /// does something else: the first ``get(_:)`` of each takes what was read (later ones read
    /// again). A read no one takes is still a request made. ``settle()`` waits for them.
    ///
    /// Each read ahead is one attempt, retried by nobody and reported nowhere: a run that stops
    /// before it needs them (a playbook that does not check) must not wait out the retry deadline
    /// of an unreachable server first, nor print its retries; the ``get(_:)`` of a failed one
    /// reads again, with the retries any request has.
    public func prefetch(_ refs: [ObjectRef]) {
        var previous: Task<Value?, any Error>?
        var started: [ObjectRef: Task<Value?, any Error>] = [:]
        for ref in refs {
            let before = previous
            let read = Task { () async throws -> Value? in
                _ = try? await before?.value
                return try await self.fetch(ref, retry: false)
            }
            started[ref] = read
            previous = read
        }
        ahead.withLock { $0.merge(started) { _, new in new } }
    }

    /// Waits for the reads ``prefetch(_:)`` started that no one took. The bootstrap command need
    /// not: it ends without exit handlers (`Processes.end`), so a read still under way at its end
    /// races nothing of libcurl's or OpenSSL's.
    public func settle() async {
        let left = ahead.withLock { Array($0.values) }
        for read in left { _ = try? await read.value }
    }

    /// Objects of a kind, in one namespace or (nil) all; each item gets its apiVersion and kind back.
    /// An unknown kind has no objects.
    public func list(apiVersion: String, kind: String, namespace: String?, labelSelector: String?) async throws -> [Value] {
        guard let info = try await resource(apiVersion: apiVersion, kind: kind) else { return [] }
        let path = info.collectionPath(namespace: namespace)
        var items: [Value] = []
        var continueToken: String?
        repeat {
            // Paged as kubectl pages (--chunk-size), so one answer stays within ResponseLimits.body.
            var query: [(String, String)] = [("limit", String(ResponseLimits.listPage))]
            if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
            if let continueToken { query.append(("continue", continueToken)) }
            let page = try await send("GET", path, query: query) ?? .null
            for var item in page["items"]?.arrayValue ?? [] {
                item["apiVersion"] = .string(apiVersion)
                item["kind"] = .string(kind)
                items.append(item)
            }
            continueToken = page[path: ["metadata", "continue"]]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        } while continueToken != nil
        return items
    }

    /// Server-side apply: PATCH application/apply-patch+yaml with `fieldManager`, force=true and
    /// fieldValidation=Strict, so a field the server's schema lacks fails the request instead of
    /// vanishing (Kubernetes 1.25+; k3s 1.31 honours it).
    /// Without `force`, a field another manager owns fails the apply with a 409 naming them: plan
    /// dry-runs that way first to say whose fields the real (forced) apply takes over.
    public func apply(_ object: Value, dryRun: Bool, force: Bool = true) async throws -> Value {
        let (ref, info) = try await target(of: object, method: "PATCH")
        let path = objectPath(info, namespace: ref.namespace, name: ref.name)
        let query = [("fieldManager", options.fieldManager), ("force", force ? "true" : "false"), ("fieldValidation", "Strict")]
        return try await send("PATCH", path, query: query, body: object, contentType: "application/apply-patch+yaml", dryRun: dryRun) ?? .null
    }

    /// POST: fails with `alreadyExists` when the object exists. Never retried after it may have arrived.
    public func create(_ object: Value, dryRun: Bool = false) async throws -> Value {
        let (ref, info) = try await target(of: object, method: "POST")
        let path = info.collectionPath(namespace: info.namespaced ? ref.namespace ?? config.namespace : nil)
        return try await send("POST", path, body: object, contentType: "application/json", dryRun: dryRun) ?? .null
    }

    /// POST, retried like any request: 5xx, resets and lost responses do not fail it. When a retry
    /// meets AlreadyExists (the earlier attempt may have arrived), the object is read back: if it
    /// holds everything sent, it counts as created; otherwise `alreadyExists` is thrown, as from
    /// ``create(_:dryRun:)``. For objects only this program creates under a name it owns (the
    /// lease, the ledger and its key).
    public func createIdempotently(_ object: Value) async throws -> Value {
        let (ref, info) = try await target(of: object, method: "POST")
        let path = info.collectionPath(namespace: info.namespaced ? ref.namespace ?? config.namespace : nil)
        do {
            return try await send("POST", path, body: object, contentType: "application/json", retryPOST: true) ?? .null
        } catch let error as KubeError where error.reason == .alreadyExists {
            guard let live = try await get(ref), Self.holds(live, object) else { throw error }
            return live
        }
    }

    /// PUT with optimistic concurrency, retried like ``replace(_:dryRun:)``; when a retry meets
    /// Conflict because an earlier attempt arrived and changed the resourceVersion, the object is
    /// read back and counts as replaced if it holds everything sent (resourceVersion aside).
    public func replaceIdempotently(_ object: Value) async throws -> Value {
        do {
            return try await replace(object)
        } catch let error as KubeError where error.reason == .conflict {
            guard let ref = ObjectRef(object), let live = try await get(ref) else { throw error }
            var sent = object
            sent["metadata"]?["resourceVersion"] = nil
            guard Self.holds(live, sent) else { throw error }
            return live
        }
    }

    /// Whether `live` holds every field of `sent` with the same value (a secret equals its text).
    static func holds(_ live: Value, _ sent: Value) -> Bool {
        switch (live, sent) {
        case (.object(let have), .object(let want)):
            return want.allSatisfy { key, value in have[key].map { holds($0, value) } ?? false }
        case (.array(let have), .array(let want)):
            return have.count == want.count && zip(have, want).allSatisfy { holds($0, $1) }
        case (.string(let text), .sensitive(let secret)):
            return text == secret.revealed
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)):
            return Double(x) == y
        default:
            return live == sent
        }
    }

    /// PUT: a stale metadata.resourceVersion fails with `conflict`.
    public func replace(_ object: Value, dryRun: Bool = false) async throws -> Value {
        let (ref, info) = try await target(of: object, method: "PUT")
        let path = objectPath(info, namespace: ref.namespace, name: ref.name)
        return try await send("PUT", path, body: object, contentType: "application/json", dryRun: dryRun) ?? .null
    }

    /// PATCH application/merge-patch+json (RFC 7386).
    public func mergePatch(_ ref: ObjectRef, patch: Value, dryRun: Bool = false) async throws -> Value {
        guard let info = try await resource(apiVersion: ref.apiVersion, kind: ref.kind) else {
            throw unknownKind(ref.apiVersion, ref.kind, method: "PATCH")
        }
        let path = objectPath(info, namespace: ref.namespace, name: ref.name)
        return try await send("PATCH", path, body: patch, contentType: "application/merge-patch+json", dryRun: dryRun) ?? .null
    }

    /// Deletes the object; returns false when it was already gone (the goal holds either way).
    @discardableResult
    public func delete(_ ref: ObjectRef, dryRun: Bool = false) async throws -> Bool {
        guard let info = try await resource(apiVersion: ref.apiVersion, kind: ref.kind) else { return false }
        let path = objectPath(info, namespace: ref.namespace, name: ref.name)
        return try await send("DELETE", path, dryRun: dryRun, allow404: true) != nil
    }

    /// GET through the API server's proxy to a Service's port (`services/NAME:PORT/proxy/PATH`): the
    /// status the service answered (any 2xx counts as 200). Retried like every other request: a 429,
    /// a 5xx or a reset on the way through the proxy is an accident, not the service's answer, until
    /// the retry deadline says it is the answer.
    public func serviceProxyStatus(namespace: String, service: String, port: String, path: String) async throws -> Int {
        let target = "/api/v1/namespaces/\(namespace)/services/\(service):\(port)/proxy\(path)"
        do {
            _ = try await send("GET", target, decode: false)
            return 200
        } catch let error as KubeError {
            guard let code = error.code else { throw error }
            return code
        }
    }

    /// GET /readyz: true when the API server answers ok. One attempt, no retries: callers poll.
    public func ready() async -> Bool {
        do {
            _ = try await send("GET", "/readyz", retry: false, decode: false)
            return true
        } catch {
            return false
        }
    }

    /// Whether discovery knows this kind (refreshing its group version once when it does not).
    public func knows(apiVersion: String, kind: String) async throws -> Bool {
        try await resource(apiVersion: apiVersion, kind: kind) != nil
    }

    /// Where a kind lives, or nil when the server does not serve it.
    public func resource(apiVersion: String, kind: String) async throws -> ResourceInfo? {
        try await mapper.resource(apiVersion: apiVersion, kind: kind) { path in
            try await send("GET", path, allow404: true)
        }
    }

    /// The reference as the server stores it: a namespaced kind gets the default namespace when it
    /// names none, a cluster-scoped one loses any; a kind the server does not serve stays as written.
    public func normalized(_ ref: ObjectRef) async throws -> ObjectRef {
        guard let info = try await resource(apiVersion: ref.apiVersion, kind: ref.kind) else { return ref }
        var ref = ref
        ref.namespace = info.namespaced ? ref.namespace ?? config.namespace : nil
        return ref
    }

    // MARK: - Plumbing

    private func target(of object: Value, method: String) async throws -> (ObjectRef, ResourceInfo) {
        guard var ref = ObjectRef(object) else {
            throw KubeError(reason: .badRequest, message: "the object needs apiVersion, kind and metadata.name", method: method, path: "?")
        }
        guard let info = try await resource(apiVersion: ref.apiVersion, kind: ref.kind) else {
            throw unknownKind(ref.apiVersion, ref.kind, method: method)
        }
        ref.namespace = info.namespaced ? ref.namespace ?? config.namespace : nil
        return (ref, info)
    }

    private func objectPath(_ info: ResourceInfo, namespace: String?, name: String) -> String {
        info.collectionPath(namespace: info.namespaced ? namespace ?? config.namespace : nil) + "/" + name
    }

    private func unknownKind(_ apiVersion: String, _ kind: String, method: String) -> KubeError {
        KubeError(reason: .unknownKind,
                  message: "the server does not serve kind \(kind) in \(apiVersion) (is its CRD installed and Established?)",
                  method: method, path: ResourceInfo(groupVersion: apiVersion, resource: "", namespaced: false).prefix)
    }

    /// Sends with retries; returns the decoded 2xx body, or nil for a 404 when `allow404`.
    private func send(_ method: String, _ path: String, query: [(String, String)] = [], body: Value? = nil,
                      contentType: String? = nil, dryRun: Bool = false, allow404: Bool = false,
                      retry: Bool = true, retryPOST: Bool = false, decode: Bool = true) async throws -> Value? {
        var query = query
        if dryRun { query.append(("dryRun", "All")) }
        let target = query.isEmpty ? path : path + "?" + query.map { "\($0)=\(Self.encodeQuery($1))" }.joined(separator: "&")
        // The API server names a write's field manager after the User-Agent when the request gives none
        // (creates, updates and merge patches), so a person reading managedFields sees who wrote.
        var headers = ["Accept: application/json", "User-Agent: \(options.fieldManager)"]
        if let contentType { headers.append("Content-Type: \(contentType)") }
        // The user's exec plugin (kubelogin): a token, or a client certificate, cached until it expires.
        var identity: (certificate: [UInt8], key: Sensitive)?
        switch try await config.exec?.credential() {
        case .token(let token)?: headers.append("Authorization: Bearer \(token.revealed)")
        case .clientCertificate(let certificate, let key)?: identity = (certificate, key)
        case nil: break
        }
        // Secrets are revealed here, in the request body on its way to the API server (see Sensitive).
        var request = HTTPRequest(method: method, url: Self.trimmed(config.server) + target, headers: headers,
                                  body: body.map { Array(JSON.encode($0, options: .revealSecrets).utf8) })
        request.clientIdentity = identity
        let isWrite = !dryRun && ["POST", "PUT", "PATCH", "DELETE"].contains(method)
        let start = clock.now()
        var attempt = 0
        while true {
            attempt += 1
            if isWrite, !Self.unfenced, let check = fence.withLock({ $0 }) { try await check() }
            counters.withLock {
                $0.total += 1
                if isWrite { $0.writes += 1 }
            }
            let began = ContinuousClock.now
            var failure: KubeError
            do {
                let response = try await transport.send(request)
                logger.debug("\(method) \(target) -> \(response.status) (\(Self.millis(since: began)) ms)")
                if (200..<300).contains(response.status) {
                    // A server that accepted the request but dropped fields (one that ignores
                    // fieldValidation) must not let them vanish silently.
                    let warnings = KubeError.warnings(in: response.headers["warning"] ?? "")
                    for warning in warnings { logger.warning("\(method) \(path): \(warning)") }
                    let unknown = warnings.filter { $0.hasPrefix("unknown field ") }
                    if !unknown.isEmpty {
                        throw KubeError(reason: .invalid, message: "the server dropped fields it does not know: " + unknown.joined(separator: ", "),
                                        method: method, path: path, code: response.status,
                                        causes: unknown.map { KubeError.Cause(field: KubeError.quotedField(in: $0), reason: "FieldValueUnknown", message: $0) })
                    }
                    guard decode, !response.body.isEmpty else { return .null }
                    do {
                        return try JSON.decode(response.body)
                    } catch {
                        throw KubeError(reason: .other("InvalidResponse"), message: "the response is not JSON: \(error)",
                                        method: method, path: path, code: response.status)
                    }
                }
                if response.status == 404 && allow404 { return nil }
                failure = KubeError.from(response, method: method, path: path)
            } catch let error as TransportError {
                logger.debug("\(method) \(target) -> \(error.message) (\(Self.millis(since: began)) ms)")
                failure = KubeError(reason: .transport(error.failure), message: error.message, method: method, path: path)
            }
            // A POST that may have arrived is retried only when the caller handles AlreadyExists.
            guard retry, policy.shouldRetry(failure, method: retryPOST ? "PUT" : method) else { throw failure }
            let pause = policy.delay(afterAttempt: attempt, retryAfter: failure.retryAfter, random: clock.random())
            guard clock.now() - start + pause <= policy.deadline else {
                failure.message += " (gave up after \(attempt) attempt\(attempt == 1 ? "" : "s") within the \(policy.deadline) retry deadline)"
                throw failure
            }
            logger.debug("\(method) \(target): \(failure.reason.name), retrying in \(pause)")
            options.onRetry?(RetryNotice(method: method, path: path, reason: failure.briefReason, attempt: attempt, pause: pause))
            try await clock.sleep(pause)
        }
    }

    static func trimmed(_ server: String) -> String {
        server.hasSuffix("/") ? String(server.dropLast()) : server
    }

    static func encodeQuery(_ value: String) -> String { PercentEncoding.encode(value) }

    private static func millis(since start: ContinuousClock.Instant) -> Int {
        (ContinuousClock.now - start).milliseconds
    }
}
