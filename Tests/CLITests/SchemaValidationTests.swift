import Foundation
import Testing
import TestSupport

/// Every object a shipped playbook would create validates against the official Kubernetes OpenAPI
/// schemas (kubernetes-validate) and every custom resource against its CRD as k3s v1.31.4 serves it (the copies the binary embeds).
@Suite struct SchemaValidationTests {
    @Test(arguments: ["playbooks/faf.yaml", "playbooks/examples/minimal.yaml", "playbooks/examples/one-service.yaml", "playbooks/examples/rbac-only.yaml"])
    func planObjectsValidate(_ playbook: String) throws {
        let path = Paths.repository + "/" + playbook
        guard FileManager.default.fileExists(atPath: path) else {
            Issue.record("\(playbook) is missing")
            return
        }
        let dir = TemporaryDirectory()
        // A fresh rehearsal: nothing exists yet, so every object is planned in full.
        let plan = try bootstrap(["plan", path, "--secrets", Paths.repository + "/secrets.example",
                                  "--rehearsal", dir.file("r"), "--output", "json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let planFile = try dir.write("plan.json", plan.stdout)
        let result = try runProcess("/bin/bash", [Paths.repository + "/scripts/validate-objects", "--crds", Paths.crds, planFile])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains(" 0 invalid"), "\(result.output)")
    }
}
