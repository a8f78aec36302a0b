import Document
import Emulator
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// The creates an apply makes before any step (the lease, the ledger ConfigMap, the ledger key)
/// survive 5xx answers and connections dropped mid-request.
@Suite struct CreateFaultTests {
    static let secret = "Fault-Test-S3cret-Value"

    @Test func applyCompletesWhenTheLeaseLedgerAndKeyCreatesMeetFaults() async throws {
        let rig = try EngineRig()
        let text = layeredPlaybook(count: 2) + """
              - id: creds
                type: kube.objects
                needs: [s0]
                with:
                  objects:
                    - {apiVersion: v1, kind: Secret, metadata: {name: creds, namespace: ns-0}, stringData: {p: "${{ secrets.p }}"}}

            """
        let playbook = try rig.playbook(text, secrets: "p: \(Self.secret)\n")
        rig.server.inject(.status(503, method: "POST", pathPrefix: "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases", times: 1))
        rig.server.inject(.status(500, method: "POST", pathPrefix: "/api/v1/namespaces/kube-system/configmaps", times: 1))
        rig.server.inject(Fault(method: "POST", pathPrefix: "/api/v1/namespaces/kube-system/secrets", action: .dropConnection, times: 1))
        let report = try await rig.apply(playbook)
        #expect(report.steps.allSatisfy { $0.outcome == .applied }, "\(report.steps.map { "\($0.id): \($0.outcome)" })")
        #expect(rig.ledger("test").count == 3)
    }
}
