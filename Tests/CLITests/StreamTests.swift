import Foundation
import Testing
import TestSupport

/// Results on stdout, progress and diagnostics on stderr, as kubectl and Terraform print them:
/// `bootstrap plan … > plan.txt` captures the plan, a script reads the summary from stdout.
@Suite struct StreamTests {
    static let minimal = Paths.repository + "/playbooks/examples/minimal.yaml"

    @Test func resultsGoToStdoutAndProgressToStderr() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("r")
        let plan = try bootstrap(["plan", Self.minimal, "--rehearsal", rehearsal])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("Plan: 2 steps to run"), "\(plan.output)")
        #expect(!plan.stderr.contains("Plan:"), "\(plan.stderr)")

        let apply = try bootstrap(["apply", Self.minimal, "--rehearsal", rehearsal, "--yes"])
        #expect(apply.status == 0, "\(apply.output)")
        #expect(apply.stdout.contains("Apply complete: 2 applied, 0 skipped"), "\(apply.output)")
        #expect(!apply.stderr.contains("Apply complete"), "\(apply.stderr)")
        #expect(apply.stderr.contains("[namespaces] applied"), "progress stays on stderr: \(apply.output)")

        let status = try bootstrap(["status", Self.minimal, "--rehearsal", rehearsal])
        #expect(status.stdout.contains("2 of 2 steps recorded"), "\(status.output)")
        let graph = try bootstrap(["graph", Self.minimal])
        #expect(graph.stdout.contains("namespaces"), "\(graph.output)")
        #expect(graph.stderr.isEmpty, "\(graph.stderr)")

        // With --output json, stdout is one JSON document: the summary line is only a note on stderr.
        let json = try bootstrap(["apply", Self.minimal, "--rehearsal", rehearsal, "--yes", "--output", "json"])
        #expect(json.status == 0, "\(json.output)")
        #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil, "\(json.stdout)")
        #expect(json.stderr.contains("Apply complete: 0 applied, 2 skipped"), "\(json.stderr)")
    }
}
