import Document
import Foundation
import Testing
import TestSupport

/// No FAF Deployment with a writable claim rolls (issue 25): RollingUpdate would run the old and the
/// new pod on one data directory at once, which MongoDB and PostgreSQL do not survive.
@Suite struct FAFStrategyTests {
    @Test func noDeploymentWithAWritableClaimRolls() throws {
        let objects = try FAFReferenceTests.planned()
        let deployments = objects.filter { $0["kind"] == "Deployment" }
        var checked: [String] = []
        for deployment in deployments {
            let claims = (deployment[path: ["spec", "template", "spec", "volumes"]]?.arrayValue ?? [])
                .filter { $0["persistentVolumeClaim"] != nil && $0[path: ["persistentVolumeClaim", "readOnly"]] != true }
            guard !claims.isEmpty else { continue }
            let name = deployment[path: ["metadata", "name"]]?.stringValue ?? "?"
            #expect(deployment[path: ["spec", "strategy", "type"]] == "Recreate", "\(name)")
            checked.append(name)
        }
        #expect(checked.contains("mongodb") && checked.contains("postgres-wikijs"), "\(checked)")
    }

    /// faf.yaml as it was before the rule (no strategy anywhere) is refused, step by step.
    @Test func thePlaybookWithoutRecreateIsRefusedNamingEachStep() throws {
        let dir = TemporaryDirectory("faf-rolling")
        let text = try String(contentsOfFile: FAFRehearsalTests.playbook, encoding: .utf8)
        let rolling = text.replacingOccurrences(of: "      strategy: Recreate\n", with: "")
        #expect(rolling != text)
        try FileManager.default.createSymbolicLink(atPath: dir.file("faf"), withDestinationPath: Paths.repository + "/playbooks/faf")
        let path = try dir.write("faf.yaml", rolling)
        let run = try bootstrap(["validate", path, "--secrets", FAFRehearsalTests.secrets])
        #expect(run.status == 65)
        for step in ["mongodb", "postgres-wikijs"] {
            #expect(run.stderr.contains("error: step \"\(step)\": Deployment faf-infra/\(step) must use strategy: Recreate, or be kind: StatefulSet, "
                + "because RollingUpdate, the default, starts the new pod before the old one stops: its writable claim"), "\(run.stderr)")
        }
    }
}
