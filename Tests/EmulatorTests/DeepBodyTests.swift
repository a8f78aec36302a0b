import Document
import Emulator
import Foundation
import Testing
import TestSupport

/// Request bodies nested deeper than the readers' limit are answered 400; the emulator stays up.
@Suite struct DeepBodyTests {
    @Test func aDeepApplyPatchIsABadRequestNotACrash() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        // 3,000 levels killed a standalone emulator (stack overflow in the YAML reader).
        let deep = String(repeating: "{\"a\":", count: 3_000) + "1" + String(repeating: "}", count: 3_000)
        let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep","namespace":"default"},"data":"# + deep + "}"
        let patched = try api.patch("/api/v1/namespaces/default/configmaps/deep?fieldManager=t&force=true", body, type: "application/apply-patch+yaml")
        #expect(patched.status == 400)
        #expect(patched.body.contains("nesting deeper than \(Limits.maxDepth) levels"))
        let posted = try EmulatorHTTP.request(method: "POST", url: emulator.baseURL + "/api/v1/namespaces/default/configmaps", body: body)
        #expect(posted.status == 400)
        #expect(try api.get("/api/v1/namespaces").status == 200, "the emulator still serves")
    }
}
