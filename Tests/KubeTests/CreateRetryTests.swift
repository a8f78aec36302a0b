import Document
import Emulator
import Foundation
import Synchronization
@testable import Kube
import TestSupport
import Testing

/// Passes requests to a real transport, but loses the answer to the first POST: the object is
/// created, the client hears a reset. The most awkward fault a create can meet.
final class LosingTransport: HTTPTransport {
    let inner: any HTTPTransport
    let method: String
    private let lost = Mutex(0)
    init(_ inner: any HTTPTransport, method: String = "POST") {
        self.inner = inner
        self.method = method
    }
    var responsesLost: Int { lost.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let response = try await inner.send(request)
        let lose = lost.withLock { count -> Bool in
            guard request.method == method, count == 0 else { return false }
            count += 1
            return true
        }
        if lose { throw TransportError(.connectionReset, "connection to the server was reset (scripted: response lost)") }
        return response
    }
}

/// Creates of the lease, the ledger ConfigMap and the ledger key survive 5xx, resets and lost responses.
@Suite(.serialized) struct CreateRetryTests {
    let server: EmulatorServer
    let config: KubeConfig

    init() throws {
        server = try EmulatorFixtures.started()
        config = try KubeConfig.parse(server.kubeconfigYAML(), path: "emulator.kubeconfig", context: nil)
    }

    func configMap(_ name: String, _ data: Value = ["k": "v"]) -> Value {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "default"], "data": data]
    }

    @Test func aCreateMeeting503IsRetried() async throws {
        defer { server.stop() }
        let clock = VirtualClock()
        let kube = KubeClient(config: config, transport: CurlTransport(tls: config.tls), clock: clock.retryClock)
        server.inject(.status(503, method: "POST", pathPrefix: "/api/v1/namespaces/default/configmaps", times: 2))
        _ = try await kube.createIdempotently(configMap("a"))
        #expect(server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "a")?["data"] == ["k": "v"])
        #expect(server.requests().filter { $0.method == "POST" }.count == 3)
    }

    @Test func aLostResponseIsReadBackAndCountsAsCreated() async throws {
        defer { server.stop() }
        let clock = VirtualClock()
        let transport = LosingTransport(CurlTransport(tls: config.tls))
        let kube = KubeClient(config: config, transport: transport, clock: clock.retryClock)
        let secret: Value = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "key", "namespace": "default"],
                             "data": ["key": .sensitive(Sensitive("c2VjcmV0"))]]
        let created = try await kube.createIdempotently(secret)
        #expect(transport.responsesLost == 1)
        #expect(created[path: ["metadata", "name"]] == "key")
        #expect(server.object(apiVersion: "v1", kind: "Secret", namespace: "default", name: "key")?[path: ["data", "key"]] == "c2VjcmV0")
    }

    @Test func anObjectSomeoneElseCreatedIsStillAlreadyExists() async throws {
        defer { server.stop() }
        let kube = KubeClient(config: config)
        _ = try await kube.create(configMap("b", ["k": "theirs"]))
        await #expect { _ = try await kube.createIdempotently(configMap("b", ["k": "ours"])) } throws: {
            ($0 as? KubeError)?.reason == .alreadyExists
        }
    }

    @Test func aTakeoverWhoseResponseIsLostIsReadBackAndCountsAsDone() async throws {
        defer { server.stop() }
        let clock = VirtualClock()
        let created = try await KubeClient(config: config).create(configMap("lease", ["holder": "old"]))
        let transport = LosingTransport(CurlTransport(tls: config.tls), method: "PUT")
        let kube = KubeClient(config: config, transport: transport, clock: clock.retryClock)
        var takeover = configMap("lease", ["holder": "new"])
        takeover["metadata"]?["resourceVersion"] = created[path: ["metadata", "resourceVersion"]]
        _ = try await kube.replaceIdempotently(takeover)
        #expect(transport.responsesLost == 1)
        #expect(server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "lease")?["data"] == ["holder": "new"])
        // Someone else's change is still a conflict.
        await #expect { _ = try await kube.replaceIdempotently(takeover.with(data: ["holder": "mine"])) } throws: {
            ($0 as? KubeError)?.reason == .conflict
        }
    }
}

extension Value {
    func with(data: Value) -> Value {
        var copy = self
        copy["data"] = data
        return copy
    }
}
