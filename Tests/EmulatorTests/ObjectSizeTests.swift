import Document
import Emulator
import Foundation
import Testing
import TestSupport

/// The sizes a real API server refuses, refused alike: a ConfigMap's or a Secret's values above
/// 1 MiB (422, as ValidateConfigMap and ValidateSecret say it) and a request body above 3 MiB
/// (413, kube-apiserver's MaxRequestBodyBytes); DifferentialTests hold both to the real server.
@Suite struct ObjectSizeTests {
    static func configMap(_ name: String, bytes: Int) -> String {
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","namespace":"default"},"data":{"blob":""#
            + String(repeating: "x", count: bytes) + #""}}"#
    }

    @Test func aConfigMapAboveOneMiBIsInvalidAndOneMiBIsStored() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let url = emulator.baseURL + "/api/v1/namespaces/default/configmaps"
        let fits = try EmulatorHTTP.request(method: "POST", url: url, body: Self.configMap("fits", bytes: 1 << 20))
        #expect(fits.status == 201)
        let over = try EmulatorHTTP.request(method: "POST", url: url, body: Self.configMap("over", bytes: (1 << 20) + 1))
        #expect(over.status == 422)
        #expect(over.body.contains(#"ConfigMap \"over\" is invalid: []: Too long: must have at most 1048576 bytes"#), "\(over.body)")
        let secret = #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"big","namespace":"default"},"stringData":{"k":""#
            + String(repeating: "s", count: (1 << 20) + 1) + #""}}"#
        let refused = try EmulatorHTTP.request(method: "POST", url: emulator.baseURL + "/api/v1/namespaces/default/secrets", body: secret)
        #expect(refused.status == 422)
        #expect(refused.body.contains("data: Too long: must have at most 1048576 bytes"))
    }

    @Test func aRequestAboveThreeMiBIsTooLarge() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        // The 64 MiB ConfigMap the probe stored; 4 MiB shows the same.
        let huge = try EmulatorHTTP.request(method: "POST", url: emulator.baseURL + "/api/v1/namespaces/default/configmaps",
                                            body: Self.configMap("huge", bytes: 4 << 20))
        #expect(huge.status == 413)
        #expect(huge.body.contains("Request entity too large: limit is 3145728"))
        #expect(try EmulatorClient(emulator).get("/api/v1/namespaces/default/configmaps/huge").status == 404)
    }

    /// An object etcd would not store (above its 1.5 MiB request limit) is a 500 from the real
    /// server, "etcdserver: request is too large"; a dry run, which never reaches etcd, passes.
    @Test func anObjectAboveEtcdsLimitIsRefusedAsTheRealServerRefusesIt() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let pod = #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"big","namespace":"default"},"spec":{"containers":[{"name":"c","image":"x","args":[""#
            + String(repeating: "x", count: 1_600_000) + #""]}]}}"#
        let url = emulator.baseURL + "/api/v1/namespaces/default/pods"
        #expect(try EmulatorHTTP.request(method: "POST", url: url + "?dryRun=All", body: pod).status == 201)
        let refused = try EmulatorHTTP.request(method: "POST", url: url, body: pod)
        #expect(refused.status == 500)
        #expect(refused.body.contains("etcdserver: request is too large"))
    }
}
