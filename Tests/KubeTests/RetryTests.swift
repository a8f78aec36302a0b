import Document
@testable import Kube
import Testing

/// The retry loop over a scripted transport and a virtual clock: counts and chosen delays, never wall time.
@Suite struct RetryTests {
    private let ref = ObjectRef(apiVersion: "v1", kind: "Service", namespace: "x", name: "y")
    private let discovery = ScriptedTransport.Outcome.response(HTTPResponse(status: 200, body: Array(JSON.encode(
        ["kind": "APIResourceList", "resources": [["name": "services", "kind": "Service", "namespaced": true]]]).utf8)))
    private let object = ScriptedTransport.Outcome.response(HTTPResponse(status: 200, body: Array(#"{"kind":"Service"}"#.utf8)))

    private func client(_ transport: ScriptedTransport, _ clock: VirtualClock, deadline: Duration = .seconds(30)) -> KubeClient {
        KubeClient(config: fakeConfig(), options: ClientOptions(retryDeadline: deadline), transport: transport, clock: clock.retryClock)
    }

    @Test func tooManyRequestsHonoursRetryAfter() async throws {
        let transport = ScriptedTransport([discovery, status(429, reason: "TooManyRequests", message: "slow", retryAfter: 4), object])
        let clock = VirtualClock()
        let kube = client(transport, clock)
        #expect(try await kube.get(ref)?["kind"] == "Service")
        #expect(clock.sleeps == [.seconds(4)])
        #expect(kube.stats == RequestStats(total: 3, writes: 0))
    }

    @Test func serverErrorsAndResetsAreRetriedForIdempotentRequests() async throws {
        let transport = ScriptedTransport([discovery, status(503, reason: "ServiceUnavailable", message: "x"),
                                           .failure(.connectionReset), .failure(.timeout), object])
        let clock = VirtualClock(random: 1)
        let kube = client(transport, clock)
        _ = try await kube.apply(["apiVersion": "v1", "kind": "Service", "metadata": ["name": "y", "namespace": "x"]], dryRun: false)
        #expect(clock.sleeps == [.milliseconds(200), .milliseconds(400), .milliseconds(800)])
        #expect(kube.stats == RequestStats(total: 5, writes: 4))
    }

    @Test func postIsNotRetriedAfterAServerError() async throws {
        let transport = ScriptedTransport([discovery, status(500, reason: "InternalError", message: "boom"), object])
        let clock = VirtualClock()
        let kube = client(transport, clock)
        await #expect { _ = try await kube.create(["apiVersion": "v1", "kind": "Service", "metadata": ["name": "y", "namespace": "x"]]) } throws: {
            ($0 as? KubeError)?.description == "POST /api/v1/namespaces/x/services: 500 InternalError: boom"
        }
        #expect(clock.sleeps.isEmpty)
        #expect(transport.sent.count == 2)
    }

    @Test func postIsRetriedWhenTheConnectionWasRefused() async throws {
        let transport = ScriptedTransport([discovery, .failure(.connectionRefused), object])
        let kube = client(transport, VirtualClock())
        _ = try await kube.create(["apiVersion": "v1", "kind": "Service", "metadata": ["name": "y", "namespace": "x"]])
        #expect(transport.sent.count == 3)
    }

    @Test func staleUpdateConflictSurfacesAtOnce() async throws {
        let transport = ScriptedTransport([discovery, status(409, reason: "Conflict", message: "the object has been modified")])
        let clock = VirtualClock()
        let kube = client(transport, clock)
        await #expect { _ = try await kube.replace(["apiVersion": "v1", "kind": "Service", "metadata": ["name": "y", "namespace": "x", "resourceVersion": "1"]]) } throws: {
            ($0 as? KubeError)?.reason == .conflict
        }
        #expect(clock.sleeps.isEmpty)
        #expect(transport.sent.count == 2)
    }

    @Test func givesUpAtTheDeadline() async throws {
        let transport = ScriptedTransport([discovery], then: status(500, reason: "InternalError", message: "down"))
        let clock = VirtualClock(random: 1)
        let kube = client(transport, clock, deadline: .seconds(10))
        do {
            _ = try await kube.get(ref)
            Issue.record("expected to give up")
        } catch let error as KubeError {
            #expect(error.reason == .internalError)
            #expect(error.message.contains("gave up after"))
        }
        let slept = clock.sleeps.reduce(Duration.zero, +)
        #expect(slept <= .seconds(10))
        #expect(clock.sleeps.count >= 3)
        #expect(transport.sent.count == clock.sleeps.count + 2)
    }

    @Test func retryAfterBeyondTheDeadlineFailsNow() async throws {
        let transport = ScriptedTransport([discovery, status(429, reason: "TooManyRequests", message: "later", retryAfter: 60)])
        let clock = VirtualClock()
        await #expect { _ = try await client(transport, clock, deadline: .seconds(5)).get(ref) } throws: {
            ($0 as? KubeError)?.reason == .tooManyRequests
        }
        #expect(clock.sleeps.isEmpty)
    }
}
