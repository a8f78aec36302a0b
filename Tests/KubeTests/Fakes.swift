import Document
import Foundation
@testable import Kube
import Logging

/// A virtual clock: sleeping advances time instantly and records the pause.
final class VirtualClock: Sendable {
    private let state = Locked((now: Duration.zero, sleeps: [Duration]()))
    let randomValue: Double

    init(random: Double = 0.5) { randomValue = random }

    var sleeps: [Duration] { state.withLock { $0.sleeps } }
    var retryClock: RetryClock {
        RetryClock(now: { self.state.withLock { $0.now } },
                   sleep: { pause in self.state.withLock { $0.now += pause; $0.sleeps.append(pause) } },
                   random: { self.randomValue })
    }
}

/// Answers each request with the next scripted outcome, recording what was sent.
final class ScriptedTransport: HTTPTransport {
    enum Outcome: Sendable {
        case response(HTTPResponse)
        case failure(TransportFailure)
    }
    private let state: Locked<(script: [Outcome], sent: [HTTPRequest])>
    private let fallback: Outcome

    init(_ script: [Outcome], then fallback: Outcome = .response(HTTPResponse(status: 200, body: Array("{}".utf8)))) {
        state = Locked((script, []))
        self.fallback = fallback
    }

    var sent: [HTTPRequest] { state.withLock { $0.sent } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let outcome = state.withLock { state -> Outcome in
            state.sent.append(request)
            return state.script.isEmpty ? fallback : state.script.removeFirst()
        }
        switch outcome {
        case .response(let response): return response
        case .failure(let failure): throw TransportError(failure, "scripted \(failure.rawValue)")
        }
    }
}

func status(_ code: Int, reason: String, message: String, retryAfter: Int? = nil, causes: [Value] = []) -> ScriptedTransport.Outcome {
    var body: Value = ["kind": "Status", "apiVersion": "v1", "status": "Failure", "message": .string(message),
                       "reason": .string(reason), "code": .int(code)]
    if !causes.isEmpty { body["details"] = ["causes": .array(causes)] }
    return .response(HTTPResponse(status: code, headers: retryAfter.map { ["retry-after": String($0)] } ?? [:],
                                  body: Array(JSON.encode(body).utf8)))
}

/// A tiny in-memory API server behind the transport seam: discovery, CRUD, apply, resourceVersion conflicts.
final class FakeAPI: HTTPTransport {
    struct State {
        var groups: [String: [(kind: String, resource: String, namespaced: Bool)]] = [
            "v1": [("ConfigMap", "configmaps", true), ("Secret", "secrets", true), ("Namespace", "namespaces", false)],
            "apps/v1": [("Deployment", "deployments", true)],
        ]
        var objects: [String: Value] = [:]
        var requests: [HTTPRequest] = []
        var version = 0
    }
    let state = Locked(State())
    var requests: [HTTPRequest] { state.withLock { $0.requests } }
    var paths: [String] { requests.map { "\($0.method) \(FakeAPI.split($0.url).path)" } }

    func addKind(_ groupVersion: String, kind: String, resource: String, namespaced: Bool) {
        state.withLock { $0.groups[groupVersion, default: []].append((kind, resource, namespaced)) }
    }

    static func split(_ url: String) -> (path: String, query: [String: String]) {
        let rest = url.replacingOccurrences(of: "http://fake", with: "")
        let parts = rest.split(separator: "?", maxSplits: 1).map(String.init)
        var query: [String: String] = [:]
        for pair in (parts.count > 1 ? parts[1] : "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            query[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        return (parts[0], query)
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        state.withLock { state in
            state.requests.append(request)
            return Self.handle(request, &state)
        }
    }

    private static func json(_ code: Int, _ value: Value) -> HTTPResponse {
        HTTPResponse(status: code, body: Array(JSON.encode(value).utf8))
    }

    private static func failure(_ code: Int, _ reason: String, _ message: String) -> HTTPResponse {
        json(code, ["kind": "Status", "status": "Failure", "reason": .string(reason), "message": .string(message), "code": .int(code)])
    }

    private static func handle(_ request: HTTPRequest, _ state: inout State) -> HTTPResponse {
        let (path, query) = split(request.url)
        if path == "/readyz" { return HTTPResponse(status: 200, body: Array("ok".utf8)) }
        for (gv, kinds) in state.groups where path == (gv.contains("/") ? "/apis/\(gv)" : "/api/\(gv)") {
            return json(200, ["kind": "APIResourceList", "groupVersion": .string(gv), "resources": .array(kinds.flatMap { k -> [Value] in
                [["name": .string(k.resource), "kind": .string(k.kind), "namespaced": .bool(k.namespaced)],
                 ["name": .string(k.resource + "/status"), "kind": .string(k.kind), "namespaced": .bool(k.namespaced)]]
            })])
        }
        if path.hasPrefix("/apis/") && path.split(separator: "/").count == 3 { return failure(404, "NotFound", "the server could not find the requested resource") }
        let dryRun = query["dryRun"] == "All"
        let body = request.body.flatMap { try? JSON.decode($0) }
        switch request.method {
        case "GET":
            let resources = Set(state.groups.values.flatMap { $0.map(\.resource) })
            guard let last = path.split(separator: "/").last, resources.contains(String(last)) else {
                return state.objects[path].map { json(200, $0) } ?? failure(404, "NotFound", "\(path) not found")
            }
            let items = state.objects.filter { $0.key.hasPrefix(path + "/") }.sorted { $0.key < $1.key }.map(\.value)
                .filter { item in
                    guard let selector = query["labelSelector"] else { return true }
                    let kv = selector.split(separator: "=").map(String.init)
                    return item[path: ["metadata", "labels", kv[0]]]?.stringValue == kv[1]
                }
                .map { item -> Value in
                    var item = item
                    item["apiVersion"] = nil  // as the real API server does for list items
                    item["kind"] = nil
                    return item
                }
            return json(200, ["kind": "List", "metadata": ["resourceVersion": "1"], "items": .array(items)])
        case "PATCH", "PUT", "POST":
            guard var object = body else { return failure(400, "BadRequest", "no body") }
            let key = request.method == "POST" ? path + "/" + (object[path: ["metadata", "name"]]?.stringValue ?? "") : path
            if request.method == "POST", state.objects[key] != nil { return failure(409, "AlreadyExists", "\(key) already exists") }
            if request.method == "PUT" {
                guard let live = state.objects[key] else { return failure(404, "NotFound", "\(key) not found") }
                let want = object[path: ["metadata", "resourceVersion"]]?.stringValue
                if let want, want != live[path: ["metadata", "resourceVersion"]]?.stringValue {
                    return failure(409, "Conflict", "Operation cannot be fulfilled on \(key): the object has been modified; please apply your changes to the latest version and try again")
                }
            }
            if request.method == "PATCH", request.headers.contains("Content-Type: application/merge-patch+json") {
                guard var live = state.objects[key] else { return failure(404, "NotFound", "\(key) not found") }
                for (k, v) in object.objectValue ?? Object() { live[k] = v }
                object = live
            }
            state.version += 1
            var metadata = object["metadata"] ?? [:]
            metadata["resourceVersion"] = .string(String(state.version))
            object["metadata"] = metadata
            if !dryRun { state.objects[key] = object }
            return json(request.method == "POST" ? 201 : 200, object)
        case "DELETE":
            guard state.objects[path] != nil else { return failure(404, "NotFound", "\(path) not found") }
            if !dryRun { state.objects[path] = nil }
            return json(200, ["kind": "Status", "status": "Success"])
        default:
            return failure(405, "MethodNotAllowed", "no")
        }
    }
}

/// Keeps every log line, to check what debug logging reveals.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    let lines = Locked<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:])") }
    }
}

func fakeConfig(namespace: String = "default") -> KubeConfig {
    KubeConfig(path: "test-kubeconfig", contextName: "test", server: "http://fake", namespace: namespace)
}
