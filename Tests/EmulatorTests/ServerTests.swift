import Document
import Emulator
import Foundation
import Synchronization
import Testing
import TestSupport

@Suite struct ServerTests {
    @Test func scriptedTooManyRequestsThenNormalService() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        emulator.inject(.status(429, retryAfterSeconds: 2, pathPrefix: "/api/v1/namespaces/default/configmaps", times: 2))
        let api = EmulatorClient(emulator)
        for _ in 0..<2 {
            let limited = try api.get("/api/v1/namespaces/default/configmaps")
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] == "2")
            #expect(limited.json["kind"] == "Status")
            #expect(limited.json["reason"] == "TooManyRequests")
        }
        #expect(try api.get("/api/v1/namespaces/default/configmaps").status == 200)
        #expect(try api.get("/api/v1/namespaces").status == 200)
        let log = emulator.requests()
        #expect(log.map(\.status) == [429, 429, 200, 200])
        #expect(log.map(\.faulted) == [true, true, false, false])
        emulator.clearRequestLog()
        #expect(emulator.requests().isEmpty)
    }

    @Test func droppedConnectionsAndProbabilisticFaultsAreReproducible() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        emulator.inject(Fault(method: "GET", pathPrefix: "/version", action: .dropConnection, times: 1))
        #expect(throws: EmulatorHTTP.Failure.self) { try EmulatorHTTP.request(url: emulator.baseURL + "/version") }
        #expect(try EmulatorHTTP.request(url: emulator.baseURL + "/version").status == 200)

        func run() throws -> [Int] {
            emulator.clearFaults()
            emulator.inject(Fault(pathPrefix: "/api", action: .status(503, retryAfterSeconds: nil), probability: 0.5, seed: 7))
            return try (0..<20).map { _ in try EmulatorHTTP.request(url: emulator.baseURL + "/api").status }
        }
        let first = try run()
        #expect(first.contains(503) && first.contains(200))
        #expect(try run() == first)
    }

    @Test func stateSurvivesARestart() throws {
        let dir = try EmulatorFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state.json").path
        let first = try EmulatorFixtures.started(crds: true, stateFile: state)
        let api = EmulatorClient(first)
        let created = try api.post("/api/v1/namespaces/default/configmaps",
                                   ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "kept"], "data": ["a": "1"]]).json
        _ = try api.apply("/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/traefik",
                          ["apiVersion": "helm.cattle.io/v1", "kind": "HelmChart", "metadata": ["name": "traefik"], "spec": ["chart": "traefik"]])
        first.stop()

        let second = try EmulatorServer(options: EmulatorOptions(stateFile: state))
        try second.start()
        defer { second.stop() }
        let again = EmulatorClient(second)
        let kept = try again.get("/api/v1/namespaces/default/configmaps/kept").json
        #expect(kept[path: ["metadata", "uid"]] == created[path: ["metadata", "uid"]])
        #expect(kept["data"] == ["a": "1"])
        // The CRDs came back with their objects, and new writes continue the resourceVersion sequence.
        #expect(try again.get("/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts/traefik").status == 200)
        let next = try again.post("/api/v1/namespaces/default/configmaps",
                                  ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "new"]]).json
        let oldRV = Int(kept[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? .max
        let newRV = Int(next[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0
        #expect(newRV > oldRV)
    }

    @Test func keepAliveAndChunkedBodies() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"chunked"}}"#
        let chunked = String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n"
        let raw = "GET /version HTTP/1.1\r\nHost: x\r\n\r\n"
            + "POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
            + "GET /api/v1/namespaces/default/configmaps/chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let reply = String(decoding: try EmulatorHTTP.exchange(port: UInt16(emulator.port), raw: Array(raw.utf8)), as: UTF8.self)
        // Bodies do not end in CRLF, so status lines are found by their prefix, not by line.
        let statuses = reply.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
        #expect(statuses == ["200", "201", "200"])
        #expect(emulator.requests().count == 3)
    }

    @Test func manyConcurrentClients() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let url = emulator.baseURL + "/api/v1/namespaces/default/configmaps"
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c\#(i)"}}"#
            let ok = (try? EmulatorHTTP.request(method: "POST", url: url, body: body).status) == 201
            if !ok { failures.add(1, ordering: .relaxed) }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(try EmulatorHTTP.request(url: url).json["items"]?.arrayValue?.count == 64)
        #expect(emulator.serviceTime() > .zero)
    }

    @Test func watchStreamsChangesAfterAResourceVersion() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        _ = try api.post("/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "before"]])
        let rv = try api.get("/api/v1/namespaces/default/configmaps").json[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        _ = try api.post("/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "after"]])
        _ = try api.delete("/api/v1/namespaces/default/configmaps/before")
        let raw = "GET /api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(rv)&timeoutSeconds=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let reply = String(decoding: try EmulatorHTTP.exchange(port: UInt16(emulator.port), raw: Array(raw.utf8)), as: UTF8.self)
        #expect(reply.hasPrefix("HTTP/1.1 200 OK"))
        #expect(reply.contains("Transfer-Encoding: chunked"))
        // Split on bytes: as Characters, "\r\n" is one grapheme and would not split on "\n".
        let events = reply.utf8.split(separator: 10).compactMap { try? JSON.decode(Array($0)) }.filter { $0["type"]?.stringValue != nil }
        #expect(events.map { $0["type"] } == ["ADDED", "DELETED"])
        #expect(events.map { $0[path: ["object", "metadata", "name"]] } == ["after", "before"])
    }
}
