import Document
import Emulator
import Testing
import TestSupport

@Suite struct APITests {
    @Test func discoveryListsBuiltInsAndVersion() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let core = try EmulatorHTTP.request(url: emulator.baseURL + "/api/v1")
        #expect(core.status == 200)
        let names = core.json["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.contains("configmaps"))
        let version = try EmulatorHTTP.request(url: emulator.baseURL + "/version")
        #expect(version.json["gitVersion"] == "v1.31.0+k3s1")
        let ready = try EmulatorHTTP.request(url: emulator.baseURL + "/readyz")
        #expect(ready.body == "ok")
    }
}
