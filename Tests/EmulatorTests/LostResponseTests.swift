import Document
import Emulator
import Foundation
import Testing
import TestSupport

/// The fault actions a client must survive: a reset connection, and an answer lost after the
/// request took effect.
@Suite struct LostResponseTests {
    @Test func aLostAnswerLeavesTheEffectInPlaceAndAResetLeavesNone() throws {
        let server = try EmulatorFixtures.started()
        defer { server.stop() }
        let client = EmulatorClient(server)
        let namespace: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "lost"]]

        server.inject(Fault(method: "POST", action: .loseResponse, times: 1))
        #expect(throws: (any Error).self) { _ = try client.post("/api/v1/namespaces", namespace) }
        #expect(try client.get("/api/v1/namespaces/lost").status == 200, "the create took effect")

        server.inject(Fault(method: "POST", action: .resetConnection, times: 1))
        #expect(throws: (any Error).self) { _ = try client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "reset"]]) }
        #expect(try client.get("/api/v1/namespaces/reset").status == 404, "a reset request never took effect")
    }
}
