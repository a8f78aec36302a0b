import ArgumentParser
import Document
import Graph
import Playbook

extension GraphFormat: ExpressibleByArgument {}

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the step graph as text, Graphviz dot, a Mermaid flowchart, or JSON.",
        discussion: "Reads only the playbook's structure: no secrets are needed.")

    @Argument(help: "The playbook file.")
    var playbook: String

    @Option(help: "text, dot (render with Graphviz: dot -Tsvg) or mermaid (renders in Markdown viewers).")
    var format: GraphFormat = .text

    @Option(help: "text (as --format says) or json (the steps in run order, each with its type and needs).")
    var output: ClusterOptions.Output = .text

    func validate() throws {
        // Otherwise an explicit --format dot or mermaid would be ignored without a word.
        if output == .json && format != .text {
            throw ValidationError("--output json cannot be combined with --format \(format.rawValue)")
        }
    }

    func run() throws {
        do {
            let loaded = try PlaybookLoader.load(path: playbook)
            let graph = try StepGraph.build(loaded)
            let types = Dictionary(uniqueKeysWithValues: loaded.steps.map { ($0.id, $0.type) })
            switch output {
            case .text: Console.out(graph.render(format, types: types))
            case .json: Console.out(JSON.encode(graph.json(playbook: loaded.name, types: types), options: .pretty))
            }
        } catch {
            Console.report(error.items)
            throw ExitCode.of(ExitStatus.invalidInput)
        }
    }
}
