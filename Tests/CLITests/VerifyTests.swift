import Foundation
import Testing
import TestSupport

/// `bootstrap verify` on a rehearsal: the object checks read the emulator, the network checks say
/// they are simulated, JSON and table, exit 0 only when every check passes.
@Suite struct VerifyTests {
    @Test func aReadyRehearsalPassesAndAnUnreadyWorkloadFails() throws {
        let dir = TemporaryDirectory()
        let playbook = Paths.repository + "/playbooks/examples/one-service.yaml"
        let applied = try bootstrap(["apply", playbook, "--rehearsal", dir.file("r")])
        #expect(applied.status == 0, "\(applied.output)")
        let verified = try bootstrap(["verify", playbook, "--rehearsal", dir.file("r")])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.stdout.contains("claim Bound"), "\(verified.stdout)")
        #expect(verified.stdout.contains("port accepts    127.0.0.1:443 (Traefik entry point websecure)  simulated"), "\(verified.stdout)")
        #expect(verified.stdout.contains("(rehearsal: the network checks were simulated"))

        // FAF's website never gets ready: its rollout fails the apply, and verify says so.
        let failing = TemporaryDirectory()
        let faf = Paths.repository + "/playbooks/faf.yaml", secrets = Paths.repository + "/secrets.example"
        _ = try bootstrap(["apply", faf, "--secrets", secrets, "--rehearsal", failing.file("r"),
                           "--fail-image", "faforever/faf-website:v2.0.10=unready", "--timeout", "2"])
        let json = try bootstrap(["verify", faf, "--secrets", secrets, "--rehearsal", failing.file("r"), "--output", "json"])
        #expect(json.status == 1, "\(json.output)")
        #expect(json.stdout.contains("\"passed\": false"), "\(json.stdout)")
        #expect(json.stdout.contains("\"detail\": \"0/1 ready\""), "\(json.stdout)")
        #expect(json.stdout.contains("\"target\": \"Deployment faf-apps/faf-website\""), "\(json.stdout)")
    }

}
