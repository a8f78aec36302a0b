import Foundation
import Testing
import TestSupport

/// `bootstrap verify` on a rehearsal: the object checks read the emulator, the network checks say
/// they are simulated.
@Suite struct VerifyTests {
    @Test func aRehearsalIsCheckedAndSaysWhatWasSimulated() throws {
        let dir = TemporaryDirectory()
        let playbook = Paths.repository + "/playbooks/examples/one-service.yaml"
        let applied = try bootstrap(["apply", playbook, "--rehearsal", dir.file("r")])
        #expect(applied.status == 0, "\(applied.output)")
        let verified = try bootstrap(["verify", playbook, "--rehearsal", dir.file("r")])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.stdout.contains("workload ready  Deployment faf-apps/faf-content"), "\(verified.stdout)")
        #expect(verified.stdout.contains("claim Bound     faf-apps/faf-content-pvc"), "\(verified.stdout)")
        #expect(verified.stdout.contains("route answers   content.faforever.com"), "\(verified.stdout)")
        #expect(verified.stdout.contains("port accepts    127.0.0.1:443 (Traefik entry point websecure)  simulated"), "\(verified.stdout)")
        #expect(verified.stdout.contains("(rehearsal: the network checks were simulated"))
        let json = try bootstrap(["verify", playbook, "--rehearsal", dir.file("r"), "--output", "json"])
        #expect(json.stdout.contains("\"passed\": true"), "\(json.stdout)")
    }
}
