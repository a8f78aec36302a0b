import Document
import Emulator
import Testing
import TestSupport

@Suite struct StatsTests {
    @Test func statsCountRequestsWritesAndServiceTimeButNotThemselves() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let before = try EmulatorHTTP.request(url: emulator.baseURL + "/emulator/stats")
        #expect(before.status == 200)
        #expect(before.json["requests"] == .int(0))
        #expect(before.json["writes"] == .int(0))

        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default"}}"#
        let created = try EmulatorHTTP.request(method: "POST", url: emulator.baseURL + "/api/v1/namespaces/default/configmaps", body: body)
        #expect(created.status == 201)
        let dryRun = try EmulatorHTTP.request(method: "POST", url: emulator.baseURL + "/api/v1/namespaces/default/configmaps?dryRun=All",
                                              body: body.replacingOccurrences(of: "\"a\"", with: "\"b\""))
        #expect(dryRun.status == 201)
        _ = try EmulatorHTTP.request(url: emulator.baseURL + "/api/v1/namespaces/default/configmaps/a")

        let after = try EmulatorHTTP.request(url: emulator.baseURL + "/emulator/stats")
        #expect(after.json["requests"] == .int(3))
        #expect(after.json["writes"] == .int(1))
        var seconds = -1.0
        switch after.json["serviceSeconds"] {
        case .double(let d)?: seconds = d
        case .int(let i)?: seconds = Double(i)
        default: break
        }
        #expect(seconds > 0 && seconds < 10)
        #expect(emulator.requests().count == 3)

        let post = try EmulatorHTTP.request(method: "POST", url: emulator.baseURL + "/emulator/stats", body: "{}")
        #expect(post.status == 405)
    }
}
