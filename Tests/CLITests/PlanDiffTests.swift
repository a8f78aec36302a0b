import Document
import Foundation
import Testing
import TestSupport

/// Plans a reviewer can read: host files with their content and line diffs, markers for host steps.
@Suite struct PlanDiffTests {
    @Test func aChangedHostFileShowsAsALineDiffAndItsStepAsAChange() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("r")
        let applied = try bootstrap(["apply", CLITests.minimal, "--rehearsal", rehearsal])
        #expect(applied.status == 0, "\(applied.stderr)")

        let original = try String(contentsOfFile: CLITests.minimal, encoding: .utf8)
        let changed = try dir.write("minimal.yaml", original.replacingOccurrences(
            of: "nodeLabels: {storage-id: main-01}", with: "nodeLabels: {storage-id: main-02}"))
        let plan = try bootstrap(["plan", changed, "--rehearsal", rehearsal])
        #expect(plan.status == 0, "\(plan.stderr)")
        let lines = plan.stdout.split(separator: "\n").map(String.init)
        // A recorded step that changes is `~`, not `+`; the file shows only what changes, with context.
        #expect(lines.contains { $0.hasPrefix("  ~ k3s ") })
        #expect(lines.contains("      $ write /etc/rancher/k3s/config.yaml (mode 0600)"))
        #expect(lines.contains("          -   - storage-id=main-01"))
        #expect(lines.contains("          +   - storage-id=main-02"))
        #expect(lines.contains("            node-label:"))
        // The Node's label is written through the API too, and the plan shows that write.
        #expect(lines.contains("      ~ Node node-1 (update)"), "\(plan.stdout)")
        #expect(lines.contains("          ~ metadata.labels.storage-id: \"main-01\" -> \"main-02\""), "\(plan.stdout)")
        #expect(!lines.contains { $0.contains("oidc") })
        #expect(lines.contains { $0.hasPrefix("  = namespaces ") })
    }

    @Test func aNewHostFileShowsItsContentAndSecretContentNever() throws {
        let dir = TemporaryDirectory()
        let secrets = try dir.write("secrets.yaml", "token: never-print-this-7Qx\n")
        chmod(secrets, 0o600)
        let playbook = try dir.write("p.yaml", """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: files}
            steps:
              - id: token
                type: host.file
                with: {path: /etc/faf/token, content: "${{ secrets.token }}", mode: "0600"}
            """)
        let plan = try bootstrap(["plan", playbook, "--secrets", secrets, "--rehearsal", dir.file("r")])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("      $ write /etc/faf/token (mode 0600)\n          (sensitive content)"))
        let json = try bootstrap(["plan", playbook, "--secrets", secrets, "--rehearsal", dir.file("r"), "--output", "json"])
        #expect(json.stdout.contains("\"after\": \"(sensitive)\""))
        for text in [plan.stdout, plan.stderr, json.stdout] { #expect(!text.contains("never-print-this-7Qx")) }
    }
}
