import Document
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// A custom resource with a field its CRD does not declare: the real server drops it (1.20 ignores
/// fieldValidation and warns of nothing), and bootstrap refuses to record the step, naming the field.
@Suite struct RealUnknownFieldTests {
    @Test func aFieldTheCRDLacksFailsTheStepNamingTheField() async throws {
        try await RealServer.prepared()
        let id = UUID().uuidString.prefix(6).lowercased()
        let ns = "it-unknown-\(id)"
        let rig = try RealRig()
        let playbook = try rig.playbook(text: """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: it-unknown-\(id)}
            steps:
              - id: namespaces
                type: kube.namespaces
                with: {names: [\(ns)]}
              - id: middleware
                type: kube.objects
                needs: [namespaces]
                with:
                  objects:
                    - apiVersion: traefik.io/v1alpha1
                      kind: Middleware
                      metadata: {name: strip, namespace: \(ns)}
                      spec:
                        stripPrefix: {prefixes: [/api]}
                        stripPrefixTypo: {prefixes: [/api]}
            """)
        let report = try await rig.apply(playbook, gated: false)
        let outcome = report.outcome("middleware")
        #expect(outcome.hasPrefix("failed"), "\(report.summary)")
        #expect(outcome.contains("stripPrefixTypo"), "the failure names the field: \(outcome)")
        #expect(report.outcome("namespaces") == "applied")
        // Not recorded: a re-run tries again rather than trusting a step whose object lost a field.
        let records = try await Ledger.read(try RealServer.client(), playbook: "it-unknown-\(id)")
        #expect(records["middleware"] == nil)
        #expect(records["namespaces"] != nil)
    }
}
