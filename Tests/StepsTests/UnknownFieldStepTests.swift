import Document
import Engine
import Testing
import TestSupport

/// A custom resource with a field its CRD does not declare fails its step, naming the field: a real
/// server would otherwise drop it, and the playbook would say something the cluster does not do.
@Suite struct UnknownFieldStepTests {
    @Test func aStepApplyingAnUndeclaredFieldFailsNamingIt() async throws {
        let rig = try EngineRig(crds: true)
        let playbook = try rig.playbook("""
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: test}
            steps:
              - id: routes
                type: kube.objects
                with:
                  objects:
                    - apiVersion: traefik.io/v1alpha1
                      kind: IngressRoute
                      metadata: {name: web, namespace: default}
                      spec:
                        routes:
                          - match: Host(`x`)
                            kind: Rule
                            middlewarez: [{name: auth}]
            """)
        let report = try await rig.apply(playbook)
        #expect(report.failed == ["routes"])
        guard case .failed(let message) = report.steps.first?.outcome else {
            Issue.record("the step did not fail: \(String(describing: report.steps.first?.outcome))")
            return
        }
        #expect(message.contains(#"unknown field "spec.routes[0].middlewarez""#), "\(message)")
        #expect(rig.ledger("test")["routes"] == nil, "a failed step is not recorded")
        #expect(rig.server.object(apiVersion: "traefik.io/v1alpha1", kind: "IngressRoute", namespace: "default", name: "web") == nil)
    }
}
