import ArgumentParser
import Document
import Graph
import Playbook

extension GraphFormat: ExpressibleByArgument {}

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the step graph as text, Graphviz dot, or a Mermaid flowchart.",
        discussion: "Reads only the playbook's structure: no secrets are needed.")

    @Argument(help: "The playbook file.")
    var playbook: String

    @Option(help: "text, dot (render with Graphviz: dot -Tsvg) or mermaid (renders in Markdown viewers).")
    var format: GraphFormat = .text

    func run() async throws {
        do {
            let loaded = try PlaybookLoader.load(path: playbook)
            let graph = try StepGraph.build(loaded)
            let types = Dictionary(uniqueKeysWithValues: loaded.steps.map { ($0.id, $0.type) })
            Console.out(graph.render(format, types: types))
        } catch {
            Console.report(error.items)
            throw ExitCode.of(ExitStatus.invalidInput)
        }
    }
}
