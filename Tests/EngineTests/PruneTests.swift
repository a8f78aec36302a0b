import Document
import Emulator
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// What a step no longer wants is deleted, except what holds data; a step taken out of the
/// playbook takes its objects with it.
@Suite struct PruneTests {
    static func playbook(_ steps: String) -> String {
        "apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: prune}\nsteps:\n" + steps
    }

    static func configMaps(_ names: [String], id: String = "cms") -> String {
        """
          - id: \(id)
            type: kube.objects
            with:
              objects:
        \(names.map { "        - {apiVersion: v1, kind: ConfigMap, metadata: {name: \($0), namespace: default}, data: {k: v}}" }.joined(separator: "\n"))

        """
    }

    static let namespaces = """
          - id: ns
            type: kube.namespaces
            with: {names: [faf-apps, faf-old]}

        """

    func configMap(_ rig: EngineRig, _ name: String) -> Value? {
        rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: name)
    }

    @Test func anObjectTakenOutOfAStepIsShownThenDeleted() async throws {
        let rig = try EngineRig()
        _ = try await rig.apply(try rig.playbook(Self.playbook(Self.configMaps(["keep-me", "drop-me"]))))
        #expect(configMap(rig, "drop-me") != nil)

        let narrowed = try rig.playbook(Self.playbook(Self.configMaps(["keep-me"])))
        let plan = try await rig.plan(narrowed)
        let text = plan.text(playbookPath: "prune.yaml")
        #expect(text.contains("      - ConfigMap default/drop-me (delete: no longer in the playbook)"))
        #expect(text.contains("1 to delete"))
        #expect(plan.hasChanges)
        let json = plan.json["steps"]?.arrayValue?.first?["deletions"]?.arrayValue ?? []
        #expect(json == [["apiVersion": "v1", "kind": "ConfigMap", "namespace": "default", "name": "drop-me",
                          "action": "delete", "reason": "no longer in the playbook"]])
        #expect(configMap(rig, "drop-me") != nil, "plan deleted something")

        let applied = try await rig.apply(narrowed)
        #expect(applied.failed.isEmpty)
        #expect(configMap(rig, "drop-me") == nil)
        #expect(configMap(rig, "keep-me") != nil)
        // Recorded as it is now: the next plan deletes nothing more.
        let again = try await rig.plan(narrowed)
        #expect(!again.hasChanges)
        #expect(!again.text(playbookPath: "prune.yaml").contains("delete"))
    }

    @Test func aStepTakenOutOfThePlaybookTakesItsObjectsAndItsRecord() async throws {
        let rig = try EngineRig()
        _ = try await rig.apply(try rig.playbook(Self.playbook(Self.configMaps(["one"], id: "first") + Self.configMaps(["two"], id: "second"))))
        #expect(rig.ledger("prune").keys.sorted() == ["first", "second"])

        let without = try rig.playbook(Self.playbook(Self.configMaps(["one"], id: "first")))
        let plan = try await rig.plan(without)
        let removed = try #require(plan.steps.first { $0.id == "second" })
        #expect(removed.removed && removed.symbol == "-" && removed.type == "kube.objects")
        #expect(plan.text(playbookPath: "prune.yaml").contains("  - second  kube.objects  run: no longer in the playbook"))
        #expect(removed.prune.delete == [ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "two")])

        let applied = try await rig.apply(without)
        #expect(applied.steps.first { $0.id == "second" }?.outcome == .applied)
        #expect(configMap(rig, "two") == nil)
        #expect(configMap(rig, "one") != nil)
        #expect(rig.ledger("prune").keys.sorted() == ["first"])
        // Nothing is left to do: the no-op re-run stays a single read.
        rig.server.clearRequestLog()
        let noop = try await rig.apply(without)
        #expect(noop.requests.writes == 0 && rig.writesSeen().isEmpty)
    }

    @Test func objectsThatHoldDataAreKeptAndNamedWithTheCommandThatWouldDeleteThem() async throws {
        let rig = try EngineRig()
        _ = try await rig.apply(try rig.playbook(Self.playbook(Self.namespaces)))
        let narrowed = try rig.playbook(Self.playbook(Self.namespaces.replacingOccurrences(of: ", faf-old", with: "")))
        let plan = try await rig.plan(narrowed)
        let text = plan.text(playbookPath: "prune.yaml")
        #expect(text.contains("! kept: holds data: Namespace faf-old (delete it by hand if it must go: kubectl delete namespace faf-old)"))
        #expect(text.contains("1 kept"))
        #expect(!text.contains("to delete"))
        let deletions = plan.json["steps"]?.arrayValue?.first?["deletions"]?.arrayValue ?? []
        #expect(deletions.first?["action"] == "keep")

        _ = try await rig.apply(narrowed)
        #expect(rig.server.object(apiVersion: "v1", kind: "Namespace", namespace: nil, name: "faf-old") != nil)
    }

    @Test func theNodeALabelStepTouchedIsNeverDeleted() async throws {
        let rig = try EngineRig()
        let labels = "  - {id: labels, type: kube.node-labels, with: {node: node-1, labels: {storage-id: main-01}}}\n"
        let other = "  - {id: ns, type: kube.namespaces, with: {names: [faf-apps]}}\n"
        _ = try await rig.apply(try rig.playbook(Self.playbook(labels + other)))
        let without = try rig.playbook(Self.playbook(other))
        let text = try await rig.plan(without).text(playbookPath: "prune.yaml")
        #expect(text.contains("! kept: holds data: Node node-1 (delete it by hand if it must go: kubectl delete node node-1)"))
        #expect(!text.contains("to delete"))
        _ = try await rig.apply(without)
        #expect(rig.server.object(apiVersion: "v1", kind: "Node", name: "node-1") != nil)
    }

    @Test func unchangedObjectsAreCountedUnlessVerbose() async throws {
        let rig = try EngineRig()
        _ = try await rig.apply(try rig.playbook(Self.playbook(Self.configMaps(["a", "b", "c"]))))
        let changed = Self.configMaps(["a", "b", "c"]).replacingOccurrences(of: "name: c, namespace: default}, data: {k: v}", with: "name: c, namespace: default}, data: {k: w}")
        let plan = try await rig.plan(try rig.playbook(Self.playbook(changed)))
        let text = plan.text(playbookPath: "prune.yaml")
        #expect(text.contains("  ~ cms  kube.objects  run: changed since it was recorded"))
        #expect(text.contains("      ~ ConfigMap default/c (update)\n          ~ data.k: \"v\" -> \"w\""))
        #expect(text.contains("      = 2 unchanged objects"))
        #expect(!text.contains("ConfigMap default/a"))
        #expect(plan.text(playbookPath: "prune.yaml", verbose: true).contains("      = ConfigMap default/a (unchanged)"))
        // JSON carries whole values, never cut short.
        let diff = plan.json["steps"]?.arrayValue?.first?["objects"]?.arrayValue?.last?["diff"]
        #expect(diff == [["path": "data.k", "before": "v", "after": "w"]])
    }
}
