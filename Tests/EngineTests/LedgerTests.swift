import Document
import Emulator
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// The ledger and re-runs, against the emulator over real HTTP.
@Suite struct LedgerTests {
    static let secretStep = """
          - id: creds
            type: kube.objects
            needs: [s0]
            with:
              objects:
                - apiVersion: v1
                  kind: Secret
                  metadata: {name: rabbitmq-admin, namespace: ns-0}
                  stringData: {password: "${{ secrets.rabbitmq.admin }}"}

        """
    static let secretValue = "Sup3r-S3cret-Adm1n-Pw"
    static let secrets = "rabbitmq:\n  admin: \(secretValue)\n"

    @Test func secondApplyOfAnUnchangedPlaybookWritesNothing() async throws {
        let rig = try EngineRig()
        let playbook = try rig.playbook(layeredPlaybook(count: 9, extra: Self.secretStep), secrets: Self.secrets)
        let first = try await rig.apply(playbook)
        #expect(first.steps.allSatisfy { $0.outcome == .applied })
        #expect(rig.ledger("test").count == 10)

        rig.server.clearRequestLog()
        let second = try await rig.apply(playbook)
        #expect(second.steps.allSatisfy { $0.outcome == .skipped })
        #expect(second.requests.writes == 0)
        // The ledger and, with secrets, its key: no discovery first.
        #expect(second.requests.total <= 2)
        // The emulator's own log agrees: no write reached it, and no lock was taken.
        #expect(rig.writesSeen().isEmpty)
        #expect(rig.server.requests().count <= 2)
    }

    @Test func partialFailureThenRerunRedoesOnlyWhatIsNotDone() async throws {
        let rig = try EngineRig()
        let playbook = try rig.playbook(layeredPlaybook(count: 9))
        // s4 fails: the API refuses its namespace (a 403 is not retried).
        rig.server.inject(.status(403, method: "PATCH", pathPrefix: "/api/v1/namespaces/ns-4"))
        let first = try await rig.apply(playbook)
        #expect(first.steps.first { $0.id == "s4" }?.outcome.word == "failed")
        #expect(first.steps.first { $0.id == "s7" }?.outcome == .blocked(by: "s4"))
        #expect(first.steps.first { $0.id == "s5" }?.outcome == .applied)
        let recordedBefore = Set(rig.ledger("test").keys)
        #expect(recordedBefore == ["s0", "s1", "s2", "s3", "s5", "s6", "s8"])

        rig.server.clearFaults()
        rig.server.clearRequestLog()
        let second = try await rig.apply(playbook)
        #expect(Set(second.steps.filter { $0.outcome == .applied }.map(\.id)) == ["s4", "s7"])
        // No write touched a step recorded before: only s4's and s7's namespaces, the ledger and the lease.
        let objectWrites = rig.writesSeen().map(\.path).filter { $0.hasPrefix("/api/v1/namespaces/ns-") }
        #expect(Set(objectWrites) == ["/api/v1/namespaces/ns-4", "/api/v1/namespaces/ns-7"])
        #expect(rig.ledger("test").count == 9)
    }

    @Test func changingOneStepRerunsOnlyThatStep() async throws {
        let rig = try EngineRig()
        _ = try await rig.apply(try rig.playbook(layeredPlaybook(count: 6)))
        let changed = layeredPlaybook(count: 6).replacingOccurrences(of: "names: [ns-2]", with: "names: [ns-2, ns-2b]")
        let report = try await rig.apply(try rig.playbook(changed))
        #expect(report.steps.filter { $0.outcome == .applied }.map(\.id) == ["s2"])
        #expect(report.steps.first { $0.id == "s2" }?.reason.hasPrefix("changed since it was recorded") == true)
        #expect(rig.server.object(apiVersion: "v1", kind: "Namespace", name: "ns-2b") != nil)
    }

    @Test func forceStepRerunsOnlyTheNamedStep() async throws {
        let rig = try EngineRig()
        let playbook = try rig.playbook(layeredPlaybook(count: 4))
        _ = try await rig.apply(playbook)
        rig.server.clearRequestLog()
        let forced = try await rig.apply(playbook, force: ["s2"])
        #expect(forced.steps.filter { $0.outcome == .applied }.map(\.id) == ["s2"])
        #expect(forced.steps.first { $0.id == "s2" }?.reason == "forced with --force-step")
        let objectWrites = rig.writesSeen().map(\.path).filter { $0.hasPrefix("/api/v1/namespaces/ns-") }
        #expect(objectWrites == ["/api/v1/namespaces/ns-2"])
        #expect(rig.ledger("test").count == 4)
    }

    @Test func verifyRedoesADriftedStep() async throws {
        let rig = try EngineRig()
        let playbook = try rig.playbook(layeredPlaybook(count: 3))
        _ = try await rig.apply(playbook)
        // Someone deletes a namespace by hand: the ledger still says done; --verify notices.
        _ = try await KubeClient(config: rig.config).delete(ObjectRef(apiVersion: "v1", kind: "Namespace", name: "ns-1"))
        let plain = try await rig.apply(playbook)
        #expect(plain.steps.allSatisfy { $0.outcome == .skipped })
        let verified = try await rig.apply(playbook, verify: true)
        #expect(verified.steps.filter { $0.outcome == .applied }.map(\.id) == ["s1"])
        #expect(verified.steps.first { $0.id == "s1" }?.reason.contains("drifted") == true)
    }

    @Test func planMakesNoWritesAndShowsDiffs() async throws {
        let rig = try EngineRig()
        let text = layeredPlaybook(count: 4, extra: Self.secretStep)
        _ = try await rig.apply(try rig.playbook(text, secrets: Self.secrets))
        let changed = text.replacingOccurrences(of: "with: {names: [ns-3]}", with: "with: {names: [ns-3], labels: {team: ops}}")
        rig.server.clearRequestLog()
        let plan = try await rig.plan(try rig.playbook(changed, secrets: "rabbitmq:\n  admin: another-\(Self.secretValue)\n"))
        #expect(rig.writesSeen().isEmpty, "plan wrote: \(rig.writesSeen())")
        #expect(plan.requests.writes == 0)
        let s3 = try #require(plan.steps.first { $0.id == "s3" })
        #expect(s3.action == .run)
        #expect(s3.objects.first?.action == .update)
        #expect(s3.objects.first?.diff == ["+ metadata.labels.team: \"ops\""])
        let creds = try #require(plan.steps.first { $0.id == "creds" })
        #expect(creds.action == .run && creds.objects.first?.action == .update)
        #expect(plan.steps.first { $0.id == "s0" }?.action == .skip)
        let printed = plan.text(playbookPath: "test.yaml") + JSON.encode(plan.json)
        #expect(!printed.contains(Self.secretValue))
        #expect(printed.contains("(sensitive)"))
    }

    @Test func planJSONHasTheDocumentedShape() async throws {
        let rig = try EngineRig()
        let plan = try await rig.plan(try rig.playbook(layeredPlaybook(count: 2, extra: Self.secretStep), secrets: Self.secrets))
        let json = try JSON.decode(JSON.encode(plan.json))
        #expect(json["requests"]?["writes"] == 0)
        #expect(json["requests"]?["total"]?.intValue != nil)
        for step in json["steps"]?.arrayValue ?? [] {
            for key in ["id", "type", "action", "reason"] { #expect(step[key]?.stringValue != nil, "step lacks \(key)") }
            #expect(["run", "skip"].contains(step["action"]?.stringValue ?? ""))
            for object in step["objects"]?.arrayValue ?? [] {
                for key in ["apiVersion", "kind", "name", "action"] { #expect(object[key]?.stringValue != nil, "object lacks \(key)") }
                #expect(["create", "update", "unchanged"].contains(object["action"]?.stringValue ?? ""))
                #expect(object["desired"]?["metadata"]?["labels"]?["app.kubernetes.io/managed-by"] == "bootstrap")
            }
        }
        #expect(json["steps"]?.arrayValue?.count == 3)
    }

    @Test func secretsNeverReachAnnotationsOrTheLedgerInTheClear() async throws {
        let rig = try EngineRig()
        let playbook = try rig.playbook(layeredPlaybook(count: 1, extra: Self.secretStep), secrets: Self.secrets)
        let report = try await rig.apply(playbook)
        #expect(report.steps.allSatisfy { $0.outcome == .applied })
        // The Secret itself holds the value (that is its job); nothing else does.
        let secret = rig.server.object(apiVersion: "v1", kind: "Secret", namespace: "ns-0", name: "rabbitmq-admin")
        #expect(secret != nil)
        for (_, record) in rig.ledger("test") { #expect(!record.contains(Self.secretValue)) }
        let ledger = rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "kube-system", name: "bootstrap-test")
        #expect(!JSON.encode(ledger ?? .null).contains(Self.secretValue))
        #expect(!JSON.encode(report.json).contains(Self.secretValue))
        // The digest of a secret step is keyed by the cluster's ledger key, not a plain hash.
        let key = rig.server.object(apiVersion: "v1", kind: "Secret", namespace: "kube-system", name: "bootstrap-ledger-key")
        #expect(key?["data"]?["key"]?.stringValue?.isEmpty == false)
    }

    @Test func aLeaseNotRenewedWithinItsDurationIsTakenOver() async throws {
        let rig = try EngineRig()
        let client = KubeClient(config: rig.config)
        // Held by a process on another host that stopped renewing an hour ago.
        _ = try await client.create([
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "bootstrap-test", "namespace": "kube-system"],
            "spec": ["holderIdentity": "gone-host/pid 4242", "leaseDurationSeconds": 30,
                     "acquireTime": "2026-01-01T09:00:00.000000Z", "renewTime": "2026-01-01T09:00:00.000000Z"],
        ])
        let report = try await rig.apply(try rig.playbook(layeredPlaybook(count: 2)))
        #expect(report.steps.allSatisfy { $0.outcome == .applied })
        let lease = rig.server.object(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "kube-system", name: "bootstrap-test")
        #expect(lease?[path: ["spec", "holderIdentity"]] == "", "released after the run")
    }

    /// Exit 75's message: who holds the lock, until when, and how to look at it.
    @Test func aHeldLeaseSaysWhenItExpiresAndHowToSeeIt() async throws {
        let rig = try EngineRig()
        // Another apply's lease, good for an hour (a loaded machine may hold the test up past 30 s).
        let now = Timestamp.nowMicro()
        _ = try await KubeClient(config: rig.config).create([
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "bootstrap-test", "namespace": "kube-system"],
            "spec": ["holderIdentity": "other-host/pid 4242", "leaseDurationSeconds": 3600, "acquireTime": .string(now), "renewTime": .string(now)],
        ])
        do {
            _ = try await rig.apply(try rig.playbook(layeredPlaybook(count: 1)))
            Issue.record("the apply ran while another held the lease")
        } catch let held as RunLease.Held {
            let text = "\(held)"
            #expect(text.contains("another apply holds the lock: other-host/pid 4242, since 20"), "\(text)")
            #expect(text.contains("expires at 20"), "\(text)")
            #expect(text.contains("`kubectl -n kube-system get lease bootstrap-test -o yaml`"), "\(text)")
        }
    }

    @Test func concurrentApplyIsRefusedWhileTheLeaseIsHeld() async throws {
        let rig = try EngineRig()
        let playbook = try rig.playbook(layeredPlaybook(count: 2))
        let other = KubeClient(config: rig.config)
        // Another apply's lease, written as RunLease writes it but good for an hour: a loaded test
        // machine may hold this test up past a 30 s lease, and then the lock would rightly be free.
        let now = Timestamp.nowMicro()
        let ref = ObjectRef(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "kube-system", name: "bootstrap-test")
        _ = try await other.create([
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "bootstrap-test", "namespace": "kube-system"],
            "spec": ["holderIdentity": "other-host/pid 4242", "leaseDurationSeconds": 3600, "acquireTime": .string(now), "renewTime": .string(now)],
        ])
        await #expect(throws: RunLease.Held.self) { try await rig.apply(playbook) }
        #expect(rig.ledger("test").isEmpty)
        // The other apply releases it, as RunLease does: an empty holder.
        var held = try #require(try await other.get(ref))
        held["spec"]?["holderIdentity"] = ""
        _ = try await other.replace(held)
        let report = try await rig.apply(playbook)
        #expect(report.steps.allSatisfy { $0.outcome == .applied })
    }
}

/// A playbook too large for one ConfigMap's 256 KiB of annotations.
@Suite struct LedgerShardTests {
    @Test func largePlaybooksSpreadTheirRecordsOverShards() async throws {
        let rig = try EngineRig()
        let playbook = try rig.playbook(layeredPlaybook(name: "big", count: 1300, width: 50))
        let first = try await rig.apply(playbook)
        #expect(first.steps.allSatisfy { $0.outcome == .applied })
        let main = rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "kube-system", name: "bootstrap-big")
        #expect(main?[path: ["metadata", "annotations", Ledger.shardsAnnotation]] == "2")
        let shard = rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "kube-system", name: "bootstrap-big.shard-1")
        let inMain = (main?[path: ["metadata", "annotations"]]?.objectValue?.keys ?? []).filter { $0.hasPrefix(Ledger.stepKeyPrefix) }.count
        let inShard = (shard?[path: ["metadata", "annotations"]]?.objectValue?.keys ?? []).filter { $0.hasPrefix(Ledger.stepKeyPrefix) }.count
        #expect(inMain + inShard == 1300 && inMain > 0 && inShard > 0)

        rig.server.clearRequestLog()
        let second = try await rig.apply(playbook)
        #expect(second.steps.allSatisfy { $0.outcome == .skipped })
        #expect(rig.writesSeen().isEmpty)
    }

    @Test func oneConfigMapIsRefusedPastTheLimitAsARealAPIServerWould() async throws {
        let rig = try EngineRig()
        let client = KubeClient(config: rig.config)
        let big = String(repeating: "x", count: 300 * 1024)
        await #expect(throws: KubeError.self) {
            _ = try await client.apply(["apiVersion": "v1", "kind": "ConfigMap",
                                        "metadata": ["name": "huge", "namespace": "default", "annotations": ["a": .string(big)]]], dryRun: false)
        }
    }
}
