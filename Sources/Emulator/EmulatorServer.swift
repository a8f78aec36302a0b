import Document
import FoundationEssentials
import Platform
import Synchronization

/// A Kubernetes API server in-process: the objects, discovery and controllers of a single-node k3s
/// cluster, over real HTTP on loopback (HTTPS with ``EmulatorOptions/tls``, as k3s serves), so
/// kubectl and the engine's client talk to it unchanged.
public final class EmulatorServer: Sendable {
    let options: EmulatorOptions
    let store: Mutex<Store>
    private let diagnostics = Mutex(Diagnostics())
    private let http = Mutex<HTTPServer?>(nil)
    private let host: String
    private let requestedPort: Int
    private let stopping = Atomic<Bool>(false)
    private let stateWriter: StateWriter?
    private let writeGate = Mutex<(count: Int, hook: (@Sendable (Int) -> WriteGate)?)>((0, nil))
    static let token = "emulator-token"

    /// Per-request bookkeeping kept apart from the objects, so logging never waits on a write.
    struct Diagnostics {
        var faults = FaultTable()
        var log: [RequestRecord] = []
        var serviceNanoseconds: Int64 = 0
    }

    /// Loads the state file and the CRD directory and seeds a fresh node; does not listen yet.
    public init(options: EmulatorOptions) throws {
        self.options = options
        let parts = options.listen.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else {
            throw EmulatorError("listen must be HOST:PORT, got \(options.listen)")
        }
        let host = parts[0] == "localhost" ? "127.0.0.1" : String(parts[0])
        guard host.hasPrefix("127.") else { throw EmulatorError("the emulator listens on loopback only, not \(host)") }
        self.host = host
        requestedPort = port

        var store = Store()
        store.nodeName = options.nodeName
        store.kubeletClock = options.clock ?? { let start = ContinuousClock.now; return { ContinuousClock.now - start } }()
        store.k3sAddons = options.k3sAddons
        var restored = false
        if let path = options.stateFile, let state = try Store.load(from: path) {
            store.restore(state)
            store.kubeletPass()
            restored = true
        }
        let before = (store.resourceVersion, store.crdFingerprint)
        try store.seed()
        if let dir = options.crdDirectory {
            // A restored state that already loaded these very files need not parse them again.
            let fingerprint = Store.fingerprint(ofCRDs: dir)
            if !restored || store.crdFingerprint != fingerprint {
                try store.loadCRDs(from: dir)
                store.crdFingerprint = fingerprint
            }
        }
        store.seedK3sAddons()
        // Every write bumps the resourceVersion: an unchanged restored state need not be written again.
        if let path = options.stateFile, !restored || (store.resourceVersion, store.crdFingerprint) != before { try store.save(to: path) }
        self.store = Mutex(store)
        stateWriter = options.stateFile.map(StateWriter.init(path:))
    }

    /// Binds and serves on background threads.
    public func start() throws {
        try http.withLock { server in
            guard server == nil else { return }
            let tls: TLSServerContext?
            do { tls = try options.tls.map(TLSServerContext.init(identity:)) } catch { throw EmulatorError("cannot serve TLS: \(error)") }
            let s = try HTTPServer(host: host, port: requestedPort, tls: tls) { [self] request in handle(request) }
            s.start()
            server = s
        }
    }

    /// The bound port (0 before ``start()``).
    public var port: Int { http.withLock { $0?.port ?? 0 } }
    /// `http://127.0.0.1:PORT`, or `https://` when it serves TLS.
    public var baseURL: String { "\(options.tls == nil ? "http" : "https")://\(host):\(port)" }

    /// A kubeconfig for this emulator: context `emulator`, current, with a bearer token, and the
    /// CA of its certificate when it serves TLS.
    public func kubeconfigYAML() -> String {
        let authority = options.tls.map { "\n    certificate-authority-data: " + Data($0.authorityPEM.utf8).base64EncodedString() } ?? ""
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: emulator
          cluster:
            server: \(baseURL)\(authority)
        users:
        - name: emulator
          user:
            token: \(Self.token)
        contexts:
        - name: emulator
          context:
            cluster: emulator
            user: emulator
            namespace: default
        current-context: emulator
        preferences: {}

        """
    }

    /// Writes ``kubeconfigYAML()`` to a file.
    public func writeKubeconfig(to path: String) throws {
        try Files.writeAtomically(path, Array(kubeconfigYAML().utf8), mode: 0o644, durable: false)
    }

    /// Adds a fault; faults are tried in the order they were injected.
    public func inject(_ fault: Fault) { diagnostics.withLock { $0.faults.add(fault) } }
    /// Removes every fault.
    public func clearFaults() { diagnostics.withLock { $0.faults = FaultTable() } }
    /// Every request answered so far, in order.
    public func requests() -> [RequestRecord] { diagnostics.withLock { $0.log } }
    /// Empties the request log.
    public func clearRequestLog() { diagnostics.withLock { $0.log.removeAll() } }
    /// Total time spent serving requests, injected delays excluded.
    public func serviceTime() -> Duration { .nanoseconds(diagnostics.withLock { $0.serviceNanoseconds }) }

    /// Calls `hook` with the ordinal (1, 2, …) of each non-dry-run write before serving it; `.drop`
    /// closes the connection unserved. Crash tests kill a client at an exact write with it.
    public func beforeEachWrite(_ hook: (@Sendable (Int) -> WriteGate)?) {
        writeGate.withLock { $0 = (0, hook) }
    }

    /// The install Job of the HelmChart with this name fails from its next (re)install on.
    public func failHelmChart(named name: String) { mutate { $0.helmFailures.insert(name) } }
    /// Undoes ``failHelmChart(named:)``.
    public func succeedHelmChart(named name: String) { mutate { $0.helmFailures.remove(name) } }
    /// Pods of this image fail from their next creation on (nil: they run again); running pods of
    /// an image that now crashes start crashing too, as a re-run of a rehearsal with the same
    /// `--fail-image` finds them after the emulator restarted.
    public func failImage(_ image: String, _ fault: ImageFault?) {
        mutate { store in
            store.imageFaults[image] = fault
            store.kubeletPass()
            if fault == .crash { store.startCrashLoops(image: image) }
        }
    }

    /// A copy of one stored object (nil when absent), for assertions that skip HTTP.
    public func object(apiVersion: String, kind: String, namespace: String? = nil, name: String) -> Value? {
        store.withLock { s in
            s.registry.lookup(apiVersion: apiVersion, kind: kind).flatMap { s.object($0, namespace, name) }
        }
    }

    /// Stops listening and closes open connections. Call it: the server is not released before.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        let server = http.withLock { s -> HTTPServer? in defer { s = nil }; return s }
        server?.stop()
        stateWriter?.flush()
    }

    /// Returns once every change so far is in the state file.
    public func flushState() { stateWriter?.flush() }

    deinit { http.withLock { $0?.stop() } }

    private func mutate(_ body: (inout Store) -> Void) {
        store.withLock { s in
            body(&s)
            stateWriter?.changed { [self] in self.store.withLock { $0.snapshot() } }
        }
    }

    // MARK: - Serving

    /// The path of the emulator's own statistics, outside every Kubernetes path.
    public static let statsPath = "/emulator/stats"

    /// What `GET /emulator/stats` answers: the requests served so far, the writes among them
    /// (neither dry runs nor reads), and the time spent serving them. Benchmarks read it before and
    /// after a run; asking for it is not itself logged or counted.
    public func stats() -> Value {
        diagnostics.withLock { d in
            let writes = d.log.filter { !["GET", "HEAD"].contains($0.method) && !$0.dryRun && !$0.faulted }.count
            return ["requests": .int(d.log.count), "writes": .int(writes),
                    "serviceSeconds": .double(Double(d.serviceNanoseconds) / 1e9)]
        }
    }

    private func handle(_ request: HTTPRequest) -> HTTPResponse {
        if request.path == Self.statsPath {
            guard request.method == "GET" else { return Self.response(.methodNotAllowed(request.method)) }
            return Self.json(200, stats())
        }
        let query = parseQuery(request.query)
        let dryRun = query["dryRun"] == "All"
        var record = RequestRecord(method: request.method, path: request.path, query: request.query, status: 0, dryRun: dryRun)
        if request.method != "GET", !dryRun {
            let gate = writeGate.withLock { gate -> (Int, (@Sendable (Int) -> WriteGate)?) in
                guard gate.hook != nil else { return (0, nil) }
                gate.count += 1
                return (gate.count, gate.hook)
            }
            if let hook = gate.1, hook(gate.0) == .drop {
                record.faulted = true
                diagnostics.withLock { $0.log.append(record) }
                return .dropped
            }
        }
        let action = diagnostics.withLock { $0.faults.match(method: request.method, path: request.path) }
        switch action {
        case .status(let code, let retryAfter)?:
            record.status = code
            record.faulted = true
            diagnostics.withLock { $0.log.append(record) }
            return Self.response(APIError.injected(code, retryAfter: retryAfter))
        case .dropConnection?:
            record.faulted = true
            diagnostics.withLock { $0.log.append(record) }
            return .dropped
        case .resetConnection?:
            record.faulted = true
            diagnostics.withLock { $0.log.append(record) }
            return .reset
        case .delay(let d)?:
            // A connection thread started by Blocking: sleeping here holds no task back.
            Pause.blocking(for: d)
        case .loseResponse?, nil: break
        }
        let started = ContinuousClock.now
        var response = serve(request, query: query, dryRun: dryRun)
        if action == .loseResponse {
            record.faulted = true
            response = .dropped
        }
        let elapsed = ContinuousClock.now - started
        record.status = response.status
        diagnostics.withLock {
            $0.log.append(record)
            let (s, atto) = elapsed.components
            $0.serviceNanoseconds += s * 1_000_000_000 + atto / 1_000_000_000
        }
        return response
    }

    static func response(_ error: APIError) -> HTTPResponse {
        var r = json(error.code, error.status)
        r.headers.append(contentsOf: error.headers)
        return r
    }

    static func json(_ status: Int, _ value: Value) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-cache, private")],
                     body: Array(JSON.encode(value, options: .revealSecrets).utf8))
    }

    private func serve(_ request: HTTPRequest, query: [String: String], dryRun: Bool) -> HTTPResponse {
        do {
            if request.method == "GET", query["watch"] == "true" || query["watch"] == "1" {
                return try watch(request, query: query)
            }
            let (status, value, warnings) = try dispatch(request, query: query, dryRun: dryRun)
            if case .string(let text) = value { return HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8)) }
            var response = Self.json(status, value)
            response.headers += warnings.map { ("Warning", warningHeader($0)) }
            return response
        } catch {
            return Self.response(error)
        }
    }

    private func dispatch(_ request: HTTPRequest, query: [String: String], dryRun: Bool) throws(APIError) -> (Int, Value, [String]) {
        let labels = try query["labelSelector"].map { (s) throws(APIError) in try Selector(s) }
        let fields = try query["fieldSelector"].map { (s) throws(APIError) in try Selector(s) }
        // kube-apiserver reads at most 3 MiB of a request (MaxRequestBodyBytes,
        // k8s.io/apiserver/pkg/server/config.go) and answers 413 beyond it.
        if request.body.count > 3 << 20 {
            throw APIError(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is 3145728")
        }
        // Decoding happens outside the lock: it is the expensive part of most writes.
        var body: Value = .null
        if request.method == "POST" || request.method == "PUT" {
            do { body = try JSON.decode(request.body) } catch {
                throw .badRequest("Object 'Kind' is missing in '\(String(decoding: request.body.prefix(200), as: UTF8.self))'")
            }
        }
        let address = "\(host):\(port)"
        var warnings: [String] = []

        let (status, value) = try store.withLock { (s: inout Store) throws(APIError) -> (Int, Value) in
            let route = try s.route(request.path, serverAddress: address)
            let before = s.resourceVersion
            s.kubeletTick()
            s.request = try Self.context(request, query: query)
            defer { warnings = s.request.warnings; s.request = Store.RequestContext() }
            let result = try Self.execute(&s, route, request, body: body, labels: labels, fields: fields, query: query, dryRun: dryRun)
            if s.resourceVersion != before { stateWriter?.changed { [self] in self.store.withLock { $0.snapshot() } } }
            return result
        }
        return (status, value, warnings)
    }

    /// A watch: chunked JSON lines, one event each, until timeoutSeconds or stop().
    private func watch(_ request: HTTPRequest, query: [String: String]) throws(APIError) -> HTTPResponse {
        let labels = try query["labelSelector"].map { (s) throws(APIError) in try Selector(s) }
        let fields = try query["fieldSelector"].map { (s) throws(APIError) in try Selector(s) }
        let address = "\(host):\(port)"
        let (w, initial, start) = try store.withLock { (s: inout Store) throws(APIError) -> (WatchRequest, [Value], Int) in
            guard case .resource(let t, let ns, nil, nil) = try s.route(request.path, serverAddress: address) else {
                throw .methodNotAllowed("WATCH")
            }
            let w = WatchRequest(type: t, namespace: ns, labels: labels, fields: fields)
            if let rv = query["resourceVersion"].flatMap(Int.init), rv > 0 {
                guard let (events, cursor) = s.watchEvents(w, after: rv) else {
                    return (w, [Self.gone(rv, current: s.resourceVersion)], -1)
                }
                return (w, events, cursor)
            }
            return (w, s.initialEvents(w), s.resourceVersion)
        }
        let timeout = Double(query["timeoutSeconds"].flatMap(Int.init) ?? 1800)
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], stream: { [self] write in
            for e in initial { guard write(Array((JSON.encode(e, options: .revealSecrets) + "\n").utf8)) else { return } }
            guard start >= 0 else { return }
            var cursor = start
            let deadline = ContinuousClock.now + .seconds(timeout)
            while !stopping.load(ordering: .relaxed), ContinuousClock.now < deadline {
                let next = store.withLock { $0.watchEvents(w, after: cursor) }
                guard let (events, newCursor) = next else { return }
                cursor = newCursor
                for e in events { guard write(Array((JSON.encode(e, options: .revealSecrets) + "\n").utf8)) else { return } }
                if events.isEmpty {
                    guard write([]) else { return }
                    Pause.blocking(for: .milliseconds(20))
                }
            }
        })
    }

    /// The `fieldValidation` directive and the field manager of a request, as kube-apiserver reads them
    /// (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go: fieldValidation, and the manager
    /// defaulting to the User-Agent up to its first "/").
    static func context(_ request: HTTPRequest, query: [String: String]) throws(APIError) -> Store.RequestContext {
        var context = Store.RequestContext()
        switch query["fieldValidation"] ?? "" {
        case "", "Warn": context.fieldValidation = .warn
        case "Strict": context.fieldValidation = .strict
        case "Ignore": context.fieldValidation = .ignore
        case _ where ["GET", "HEAD"].contains(request.method):
            break  // reads take no write options
        case let other:
            throw .badRequest("fieldValidation: Unsupported value: \(JSON.encode(.string(other))): supported values: \"Ignore\", \"Strict\", \"Warn\"")
        }
        if let manager = query["fieldManager"], !manager.isEmpty {
            context.manager = manager
        } else if let agent = request.header("user-agent"), let product = agent.split(separator: "/").first {
            context.manager = String(product.prefix(128))
        }
        return context
    }

    private static func gone(_ rv: Int, current: Int) -> Value {
        ["type": "ERROR", "object": APIError(code: 410, reason: "Expired", message: "too old resource version: \(rv) (\(current))").status]
    }

    private static func execute(_ s: inout Store, _ route: Route, _ request: HTTPRequest, body: Value,
                                labels: Selector?, fields: Selector?, query: [String: String], dryRun: Bool) throws(APIError) -> (Int, Value) {
        switch route {
        case .text(let text):
            guard request.method == "GET" || request.method == "HEAD" else { throw .methodNotAllowed(request.method) }
            return (200, .string(text))
        case .value(let value):
            guard request.method == "GET" || request.method == "HEAD" else { throw .methodNotAllowed(request.method) }
            return (200, value)
        case .resource(let t, let ns, let name, let sub):
            if t.namespaced, ns == nil, name != nil { throw .unknownPath() }
            switch (request.method, name) {
            case ("GET", nil):
                return (200, s.list(t, ns: ns, labels: labels, fields: fields))
            case ("GET", let name?): return (200, try s.get(t, ns: ns, name: name))
            case ("POST", nil):
                guard !(t.namespaced && ns == nil) else { throw .methodNotAllowed("POST") }
                return (201, try s.create(t, ns: ns, body: body, dryRun: dryRun))
            case ("PUT", let name?):
                return (200, try s.update(t, ns: ns, name: name, body: body, subresource: sub, dryRun: dryRun))
            case ("PATCH", let name?):
                let (value, created) = try s.patch(t, ns: ns, name: name, contentType: request.header("content-type") ?? "",
                                                   body: request.body, fieldManager: query["fieldManager"], force: query["force"] == "true",
                                                   subresource: sub, dryRun: dryRun)
                return (created ? 201 : 200, value)
            case ("DELETE", let name?): return (200, try s.delete(t, ns: ns, name: name, dryRun: dryRun))
            case ("DELETE", nil): return (200, s.deleteCollection(t, ns: ns, labels: labels, fields: fields, dryRun: dryRun))
            default: throw .methodNotAllowed(request.method)
            }
        }
    }
}
