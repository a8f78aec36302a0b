import Document
import Emulator
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// The lock fences: a holder that lost it stops before its next write.
@Suite struct LeaseFenceTests {
    static let configMap: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "work", "namespace": "default"],
                                   "data": ["by": "old run"]]

    @Test func aHolderWhoseLockWasTakenOverStopsBeforeItsNextWrite() async throws {
        let rig = try EngineRig()
        let old = KubeClient(config: rig.config)
        // Trusting a renewal for no time at all stands for a run paused past its lease.
        let lease = RunLease(kube: old, playbook: "fence", identity: "old-host/pid 1", trust: .zero)
        try await lease.acquire()
        old.fenceWrites { try await lease.fence() }
        _ = try await old.apply(Self.configMap, dryRun: false)

        // Meanwhile another apply took the lock over and wrote its own version.
        let newer = KubeClient(config: rig.config)
        let ref = ObjectRef(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "kube-system", name: "bootstrap-fence")
        var live = try #require(try await newer.get(ref))
        live["spec"]?["holderIdentity"] = "new-host/pid 2"
        _ = try await newer.replace(live)
        var mine = Self.configMap
        mine["data"] = ["by": "newer run"]
        _ = try await newer.apply(mine, dryRun: false)

        // The old run resumes: its next write is refused, and the newer run's work stays.
        await #expect { _ = try await old.apply(Self.configMap, dryRun: false) } throws: { error in
            "\(error)".contains("another apply took it over: new-host/pid 2") && "\(error)".contains("stopped before the next write")
        }
        let stored = rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "work")
        #expect(stored?[path: ["data", "by"]] == "newer run")
        // Releasing does not steal the lock back either.
        old.fenceWrites(nil)
        await lease.release()
        #expect(try await newer.get(ref)?[path: ["spec", "holderIdentity"]] == "new-host/pid 2")
    }

    @Test func aHolderThatCannotRenewDoesNotWrite() async throws {
        let rig = try EngineRig()
        let client = KubeClient(config: rig.config, options: ClientOptions(retryDeadline: .zero))
        let lease = RunLease(kube: client, playbook: "fence", identity: "host/pid 1", trust: .zero)
        try await lease.acquire()
        client.fenceWrites { try await lease.fence() }
        // The API answers nothing about the lease (a partition, as far as this run can tell).
        rig.server.inject(.status(503, method: "GET", pathPrefix: "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/bootstrap-fence"))
        await #expect(throws: (any Error).self) { _ = try await client.apply(Self.configMap, dryRun: false) }
        #expect(rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "work") == nil)
    }
}
