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

    /// A playbook of kube.namespaces steps, each `id: [needs]`, in the order given.
    static func source(_ steps: [(String, [String])]) -> String {
        "apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: t}\nsteps:\n"
            + steps.map { id, needs in "  - {id: \(id), type: kube.namespaces, needs: [\(needs.joined(separator: ", "))], with: {names: [\(id)]}}\n" }.joined()
    }

    static func graph(_ steps: [(String, [String])]) throws -> StepGraph {
        try StepGraph.build(try PlaybookLoader.parse(source(steps), file: "t.yaml"))
    }

    /// Every error of the graph, as printed.
    static func errors(_ steps: [(String, [String])]) throws -> [String] {
        do {
            _ = try graph(steps)
            return []
        } catch let error as Diagnostics {
            return error.items.map(\.description)
        }
    }

    /// Every unknown need and every step that needs itself is reported in one round, each at the
    /// line and column of the need.
    @Test func everyBadNeedIsReportedAtOnceWhereItIsWritten() throws {
        #expect(try Self.errors([("a", ["missing"]), ("b", ["b"]), ("c", ["a", "ghost"])]) == [
            "t.yaml:5:44: error: step \"a\" needs unknown step \"missing\"",
            "t.yaml:6:44: error: step \"b\" needs itself",
            "t.yaml:7:47: error: step \"c\" needs unknown step \"ghost\"",
        ])
    }

    /// Two separate cycles are both named, each from the step written first, pointing at the
    /// need that closes it.
    @Test func everyCycleIsNamedStartingFromTheStepWrittenFirst() throws {
        #expect(try Self.errors([("x", []), ("b", ["a"]), ("a", ["b"]), ("c", ["e"]), ("d", ["c"]), ("e", ["d"])]) == [
            "t.yaml:6:44: error: dependency cycle: b -> a -> b",
            "t.yaml:8:44: error: dependency cycle: c -> e -> d -> c",
        ])
    }

    @Test func aNeedWrittenTwiceCountsOnce() throws {
        let graph = try Self.graph([("a", []), ("b", ["a", "a"])])
        #expect(graph.needs["b"] == ["a"])
        #expect(graph.dependents["a"] == ["b"])
        #expect(graph.order == ["a", "b"])
    }

    /// A diamond: the order never puts a step before its needs, and among ready steps keeps the
    /// playbook's order; a failure of `a` reaches every step below it.
    @Test func aDiamondRunsInDependencyOrder() throws {
        let graph = try Self.graph([("d", ["b", "c"]), ("c", ["a"]), ("b", ["a"]), ("a", []), ("e", [])])
        #expect(graph.order == ["a", "c", "b", "d", "e"])
        for (index, id) in graph.order.enumerated() {
            for need in graph.needs[id] ?? [] { #expect(graph.order.firstIndex(of: need)! < index, "\(need) after \(id)") }
        }
        #expect(graph.transitiveDependents(of: "a") == ["d", "c", "b"])
        #expect(graph.transitiveDependents(of: "e").isEmpty)
    }

    /// `bootstrap graph`'s forms: text in run order with needs, Graphviz edges from need to step,
    /// Mermaid with index ids (a '-' breaks some renderers) and the step ids as labels, JSON.
    @Test func theGraphRendersInEachFormat() throws {
        let graph = try Self.graph([("web-app", ["db"]), ("db", [])])
        let types = ["web-app": "app.workload", "db": "app.workload"]
        #expect(graph.render(.text, types: types) == "db (app.workload)\nweb-app (app.workload) <- db\n")
        #expect(graph.render(.text) == "db\nweb-app <- db\n")
        let dot = graph.render(.dot, types: types)
        #expect(dot.hasPrefix("digraph playbook {\n"))
        #expect(dot.contains("  \"web-app\" [label=\"web-app\\napp.workload\"];\n"))
        #expect(dot.contains("  \"db\" -> \"web-app\";\n"))
        #expect(dot.hasSuffix("}\n"))
        #expect(graph.render(.mermaid) == "flowchart LR\n  s0[\"web-app\"]\n  s1[\"db\"]\n  s1 --> s0\n")
        #expect(graph.json(playbook: "t", types: ["db": "app.workload"]) == [
            "playbook": "t",
            "steps": [
                ["id": "db", "type": "app.workload", "needs": []],
                ["id": "web-app", "type": .null, "needs": ["db"]],
            ],
        ])
    }
}
