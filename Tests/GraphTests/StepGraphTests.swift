import Document
import Graph
import Playbook
import Testing
import TestSupport

/// The graph's own rules: every need names a step, and needs form no cycle.
@Suite struct StepGraphTests {
    /// Builds the graph of a fixture and returns every diagnostic as printed, paths relative to the fixtures.
    func diagnostics(_ name: String) throws -> [String] {
        let dir = Paths.playbookFixtures
        let playbook = try PlaybookLoader.load(path: dir + "/" + name)
        do {
            _ = try StepGraph.build(playbook)
            Issue.record("\(name) was accepted")
            return []
        } catch {
            return error.items.map { $0.description.replacingOccurrences(of: dir + "/", with: "") }
        }
    }

    @Test func unknownNeeds() throws {
        #expect(try diagnostics("unknown-needs.yaml") == [
            "unknown-needs.yaml:10:13: error: step \"routes\" needs unknown step \"traefk\" (did you mean \"traefik\"?)",
        ])
    }

    @Test func dependencyCyclePrintsTheCycle() throws {
        #expect(try diagnostics("cycle.yaml") == [
            "cycle.yaml:7:13: error: dependency cycle: a -> b -> c -> a",
        ])
    }
    @Test func orderIsStableAndRespectsNeeds() throws {
        let playbook = try PlaybookLoader.parse("""
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: t}
            steps:
              - {id: c, type: kube.namespaces, needs: [b], with: {names: [c]}}
              - {id: a, type: kube.namespaces, with: {names: [a]}}
              - {id: b, type: kube.namespaces, needs: [a], with: {names: [b]}}
              - {id: d, type: kube.namespaces, with: {names: [d]}}
            """, file: "t.yaml")
        let graph = try StepGraph.build(playbook)
        // Among ready steps the one written first comes first; a step never precedes what it needs.
        #expect(graph.order == ["a", "b", "c", "d"])
        #expect(graph.transitiveDependents(of: "a") == ["c", "b"])
    }
}
