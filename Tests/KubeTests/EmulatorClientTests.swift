import Document
import Emulator
import Foundation
@testable import Kube
import Logging
import Synchronization
import TestSupport
import Testing

/// The client over real libcurl against the API emulator.
@Suite struct EmulatorClientTests {
    let server: EmulatorServer
    let config: KubeConfig

    init() throws {
        server = try EmulatorFixtures.started()
        config = try KubeConfig.parse(server.kubeconfigYAML(), path: "emulator.kubeconfig", context: nil)
    }

    private func configMap(_ name: String, _ data: Value = ["k": "v"], labels: Value = ["app": "faf"]) -> Value {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "default", "labels": labels], "data": data]
    }

    @Test func crudApplyAndTypedErrors() async throws {
        defer { server.stop() }
        let kube = KubeClient(config: config)
        let ref = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "a")
        #expect(try await kube.get(ref) == nil)
        _ = try await kube.apply(configMap("a"), dryRun: true)
        #expect(try await kube.get(ref) == nil, "a dry run stores nothing")
        let applied = try await kube.apply(configMap("a"), dryRun: false)
        #expect(applied[path: ["data", "k"]] == "v")
        _ = try await kube.apply(configMap("b", labels: ["app": "other"]), dryRun: false)

        let listed = try await kube.list(apiVersion: "v1", kind: "ConfigMap", namespace: "default", labelSelector: "app=faf")
        #expect(listed.compactMap { ObjectRef($0) } == [ref])

        let patched = try await kube.mergePatch(ref, patch: ["data": ["k2": "v2"]])
        #expect(patched[path: ["data", "k2"]] == "v2")

        var stale = applied
        stale["data"] = ["k": "changed"]
        await #expect { _ = try await kube.replace(stale) } throws: { ($0 as? KubeError)?.reason == .conflict }
        await #expect { _ = try await kube.create(configMap("a")) } throws: { ($0 as? KubeError)?.reason == .alreadyExists }

        #expect(try await kube.delete(ref))
        #expect(try await kube.get(ref) == nil)
        #expect(try await kube.delete(ref) == false)

        let writesSeen = server.requests().filter { $0.method != "GET" && !$0.dryRun }.count
        #expect(kube.stats.writes == writesSeen)
        #expect(kube.stats.total == server.requests().count)
        #expect(await kube.ready())
    }

    /// A read started ahead answers the first get of its object, and costs no second request; a
    /// later get reads again (what the object is now). settle() waits for the reads not yet taken.
    @Test func aPrefetchedReadAnswersTheFirstGetOnly() async throws {
        defer { server.stop() }
        let kube = KubeClient(config: config)
        let ref = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "ahead")
        let other = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "missing")
        _ = try await kube.apply(configMap("ahead", ["k": "before"]), dryRun: false)
        let before = server.requests().count
        kube.prefetch([ref, other])
        #expect(try await kube.get(ref)?[path: ["data", "k"]] == "before")
        await kube.settle()
        #expect(server.requests().count == before + 2, "one read each, the get answered by the prefetch")
        _ = try await kube.mergePatch(ref, patch: ["data": ["k": "after"]])
        #expect(try await kube.get(ref)?[path: ["data", "k"]] == "after", "a second get reads again")
        #expect(try await kube.get(other) == nil, "the other's read, taken by its first get")
        #expect(server.requests().count == before + 4)
    }

    /// A read ahead is one attempt that retries nothing and reports nothing; the get that takes a
    /// failed one reads again, with the retries of any request.
    @Test func aFailedReadAheadIsReadAgainByItsGet() async throws {
        defer { server.stop() }
        let notices = Mutex<[String]>([])
        let kube = KubeClient(config: config, options: ClientOptions(onRetry: { notice in notices.withLock { $0.append(notice.description) } }))
        _ = try await kube.apply(configMap("flaky"), dryRun: false)
        let ref = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "flaky")
        server.inject(.status(503, method: "GET", pathPrefix: "/api/v1/namespaces/default/configmaps/flaky", times: 1))
        server.clearRequestLog()
        kube.prefetch([ref])
        await kube.settle()
        #expect(server.requests().map(\.status) == [503], "one attempt, not retried")
        #expect(notices.withLock { $0 }.isEmpty)
        #expect(try await kube.get(ref)?[path: ["data", "k"]] == "v")
        #expect(server.requests().map(\.status) == [503, 200])
    }

    @Test func invalidObjectsNameTheRequest() async throws {
        defer { server.stop() }
        let kube = KubeClient(config: config)
        await #expect { _ = try await kube.apply(configMap("Not_Valid"), dryRun: false) } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.reason == .invalid && error.code == 422
                && error.description.hasPrefix("PATCH /api/v1/namespaces/default/configmaps/Not_Valid: 422 Invalid: ")
        }
    }

    /// The ledger's kinds (core ConfigMap and Secret) need no discovery; any other kind asks the
    /// server once per group version, a core one included.
    @Test func discoveryIsLazyAndCached() async throws {
        defer { server.stop() }
        let kube = KubeClient(config: config)
        _ = try await kube.get(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "a"))
        _ = try await kube.get(ObjectRef(apiVersion: "v1", kind: "Secret", namespace: "default", name: "s"))
        _ = try await kube.get(ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "d"))
        _ = try await kube.get(ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "d"))
        _ = try await kube.get(ObjectRef(apiVersion: "v1", kind: "Service", namespace: "default", name: "svc"))
        _ = try await kube.get(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "a"))
        #expect(server.requests().map(\.path) == [
            "/api/v1/namespaces/default/configmaps/a", "/api/v1/namespaces/default/secrets/s",
            "/apis/apps/v1", "/apis/apps/v1/namespaces/default/deployments/d", "/apis/apps/v1/namespaces/default/deployments/d",
            "/api/v1", "/api/v1/namespaces/default/services/svc", "/api/v1/namespaces/default/configmaps/a",
        ])
    }

    @Test func aCRDCreatedInTheRunBecomesUsable() async throws {
        defer { server.stop() }
        let kube = KubeClient(config: config)
        #expect(try await kube.knows(apiVersion: "example.com/v1", kind: "Widget") == false)
        let widget: Value = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w", "namespace": "default"], "spec": ["size": 3]]
        await #expect { _ = try await kube.apply(widget, dryRun: false) } throws: { ($0 as? KubeError)?.reason == .unknownKind }
        let crd: Value = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "widgets.example.com"],
            "spec": ["group": "example.com", "scope": "Namespaced",
                     "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"],
                     "versions": [["name": "v1", "served": true, "storage": true,
                                   "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]]],
        ]
        _ = try await kube.apply(crd, dryRun: false)
        var known = false
        for _ in 0..<50 where !known {
            known = try await kube.knows(apiVersion: "example.com/v1", kind: "Widget")
            if !known { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(known)
        _ = try await kube.apply(widget, dryRun: false)
        #expect(try await kube.get(ObjectRef(widget)!)?[path: ["spec", "size"]] == 3)
    }

    @Test func faultsAreRetriedHonouringRetryAfter() async throws {
        defer { server.stop() }
        let clock = VirtualClock()
        let kube = KubeClient(config: config, transport: CurlTransport(tls: config.tls), clock: clock.retryClock)
        _ = try await kube.apply(configMap("a"), dryRun: false)
        server.clearRequestLog()
        server.inject(.status(429, retryAfterSeconds: 2, method: "GET", pathPrefix: "/api/v1/namespaces/default/configmaps", times: 2))
        #expect(try await kube.get(ObjectRef(configMap("a"))!) != nil)
        #expect(clock.sleeps == [.seconds(2), .seconds(2)])
        #expect(server.requests().count == 3)

        server.inject(Fault(method: "GET", pathPrefix: "/api/v1/namespaces/default/configmaps", action: .dropConnection, times: 1))
        #expect(try await kube.get(ObjectRef(configMap("a"))!) != nil)

        server.clearRequestLog()
        server.inject(.status(503, method: "POST", pathPrefix: "/api/v1/namespaces/default/configmaps", times: 5))
        await #expect { _ = try await kube.create(configMap("new")) } throws: { ($0 as? KubeError)?.code == 503 }
        #expect(server.requests().filter { $0.method == "POST" }.count == 1, "a POST that may have happened is not repeated")
    }

    @Test func manyConcurrentRequestsFromSeveralTasks() async throws {
        defer { server.stop() }
        let kube = KubeClient(config: config)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<6 {
                group.addTask {
                    for i in 0..<8 {
                        let name = "cm-\(task)-\(i)"
                        _ = try await kube.apply(configMap(name, ["n": .string(String(i))]), dryRun: false)
                        let live = try await kube.get(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: name))
                        #expect(live?[path: ["data", "n"]] == .string(String(i)))
                    }
                }
            }
            try await group.waitForAll()
        }
        let all = try await kube.list(apiVersion: "v1", kind: "ConfigMap", namespace: "default", labelSelector: "app=faf")
        #expect(all.count == 48)
        #expect(kube.stats.writes == 48)
    }

    @Test func secretsNeverReachTheDebugLog() async throws {
        defer { server.stop() }
        let handler = CapturingLogHandler()
        var logger = Logger(label: "test.kube") { _ in handler }
        logger.logLevel = .trace
        let kube = KubeClient(config: config, logger: logger)
        let secretText = "hunter2-do-not-log"
        let secret: Value = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s", "namespace": "default"],
                             "stringData": ["password": .sensitive(Sensitive(secretText))]]
        _ = try await kube.apply(secret, dryRun: true)
        _ = try await kube.apply(secret, dryRun: false)
        _ = try await kube.get(ObjectRef(secret)!)
        let stored = server.object(apiVersion: "v1", kind: "Secret", namespace: "default", name: "s")
        #expect(stored?[path: ["data", "password"]]?.stringValue == Data(secretText.utf8).base64EncodedString())
        let lines = handler.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("PATCH /api/v1/namespaces/default/secrets/s?fieldManager=bootstrap&force=true&fieldValidation=Strict -> 201") })
        let encoded = Data(secretText.utf8).base64EncodedString()
        #expect(!lines.contains { $0.contains(secretText) || $0.contains(encoded) || $0.contains("Bearer") })
    }
}
