import Document
import Emulator
import Engine
import Foundation
import Steps
import Testing
import TestSupport

/// Re-running storage.local-volumes on a cluster whose claims are bound: claimRef is atomic since
/// Kubernetes 1.22, so a PersistentVolume re-applied with a claimRef lacking the uid would lose the
/// binding and its claim would go Lost.
@Suite struct LocalVolumesRerunTests {
    @Test func addingAVolumeLeavesExistingClaimsBound() async throws {
        let harness = try ClusterHarness()
        try await harness.namespaces("faf-infra", "faf-apps")
        try harness.write("/opt/faf/data/rabbitmq/mnesia/rabbit@node", "queues")
        try await harness.run(LocalVolumesTests.driver(backend: .directory, [LocalVolumesTests.mariadb, LocalVolumesTests.replays]))
        let claims = [("faf-infra", "mariadb-pvc", "mariadb"), ("faf-apps", "faf-replays-pvc", "faf-replays")]
        var uids: [String: Value] = [:]
        for (namespace, claim, _) in claims {
            uids[claim] = harness.server.object(apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: namespace, name: claim)?[path: ["metadata", "uid"]]
        }

        // The playbook gains a volume: the step runs again over the bound ones.
        try await harness.run(LocalVolumesTests.driver(backend: .directory,
                                                       [LocalVolumesTests.mariadb, LocalVolumesTests.replays, LocalVolumesTests.rabbitmq]))

        for (namespace, claim, volume) in claims + [("faf-apps", "rabbitmq-pvc", "rabbitmq")] {
            let stored = harness.server.object(apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: namespace, name: claim)
            #expect(stored?[path: ["status", "phase"]] == "Bound", "\(claim)")
            let pv = harness.server.object(apiVersion: "v1", kind: "PersistentVolume", name: volume)
            #expect(pv?[path: ["spec", "claimRef", "uid"]] == stored?[path: ["metadata", "uid"]], "\(volume)")
            #expect(pv?[path: ["status", "phase"]] == "Bound", "\(volume)")
            if let before = uids[claim] { #expect(stored?[path: ["metadata", "uid"]] == before, "\(claim) was recreated") }
        }
    }
}
