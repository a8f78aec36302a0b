import Document
import Foundation
@testable import Kube
import Logging
import Synchronization

/// A virtual clock: sleeping advances time instantly and records the pause.
final class VirtualClock: Sendable {
    private let state = Mutex((now: Duration.zero, sleeps: [Duration]()))
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
    private let state: Mutex<(script: [Outcome], sent: [HTTPRequest])>
    private let fallback: Outcome

    init(_ script: [Outcome], then fallback: Outcome = .response(HTTPResponse(status: 200, body: Array("{}".utf8)))) {
        state = Mutex((script, []))
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

/// Keeps every log line, to check what debug logging reveals.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    let lines = Mutex<[String]>([])
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
