import Document
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// The ledger against the real server's limit on annotations: 256 KiB in total per object
/// (apimachinery's TotalAnnotationSizeLimitB = 256 * (1 << 10), checked in ValidateAnnotations).
@Suite struct LedgerShardTests {
    @Test func aPlaybookOfMoreThanAThousandStepsIsRecordedInShardsTheServerAccepts() async throws {
        try await RealServer.prepared()
        let id = UUID().uuidString.prefix(6).lowercased()
        let name = "it-shards-\(id)"
        let count = Ledger.stepsPerShard + 1
        // Ids of the longest allowed length (63), so each record is as large as a record gets.
        func stepID(_ i: Int) -> String {
            let head = "s\(i)-"
            return head + String(repeating: "x", count: 63 - head.count)
        }
        var text = "apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: \(name)}\nsteps:\n"
        // Every step applies the same namespace: cheap for the server, and a full record each.
        for i in 0..<count { text += "  - id: \(stepID(i))\n    type: kube.namespaces\n    with: {names: [\(name)]}\n" }
        let rig = try RealRig()
        let playbook = try rig.playbook(text: text)

        let started = ContinuousClock.now
        let first = try await rig.apply(playbook, gated: false)
        #expect(first.failed.isEmpty, "\(first.failed.prefix(3)): \(first.steps.first { !$0.id.isEmpty && first.failed.contains($0.id) }.map { first.outcome($0.id) } ?? "")")
        print("integration: applied \(count) steps in \(ContinuousClock.now - started)")

        // Records spread over the main ConfigMap and its shards, each under the limit, all there.
        let kube = try RealServer.client()
        let main = try await kube.get(Ledger.configMapRef(name))
        let shardNames = main?[path: ["metadata", "annotations", Ledger.shardsAnnotation]]?.stringValue ?? ""
        #expect(!shardNames.isEmpty, "the main ledger names no shards")
        var recorded: Set<String> = []
        var sample: String?
        for shard in 0...Ledger.shardCount(steps: count) {
            guard let cm = try await kube.get(Ledger.configMapRef(name, shard: shard)) else { continue }
            let annotations = cm[path: ["metadata", "annotations"]]?.objectValue ?? Object()
            var bytes = 0
            for (key, value) in annotations {
                bytes += key.utf8.count + (value.stringValue?.utf8.count ?? 0)
                if key.hasPrefix(Ledger.stepKeyPrefix) {
                    recorded.insert(String(key.dropFirst(Ledger.stepKeyPrefix.count)))
                    sample = sample ?? value.stringValue
                }
            }
            #expect(bytes < 256 * 1024)
        }
        #expect(recorded.count == count)

        // The re-run reads the ledger and its shards and writes nothing.
        let noop = try await rig.apply(playbook, gated: false)
        #expect(noop.steps.allSatisfy { $0.outcome == .skipped })
        #expect(noop.requests.writes == 0)

        // Why shards: 1,300 records like these in one object are refused by the real server.
        var annotations = Object()
        for i in 0..<1300 { annotations[Ledger.stepKeyPrefix + stepID(i)] = .string(sample ?? "") }
        do {
            _ = try await kube.create(["apiVersion": "v1", "kind": "ConfigMap",
                                       "metadata": ["name": .string(name + "-unsharded"), "namespace": "kube-system", "annotations": .object(annotations)]])
            Issue.record("the server accepted 1,300 records in one object")
        } catch let error as KubeError {
            #expect(error.code == 422)
            #expect(error.message.contains("metadata.annotations: Too long: must have at most 262144 bytes"), "\(error.message)")
        }
    }
}
