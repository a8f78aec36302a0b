import ArgumentParser
import Graph

extension GraphFormat: ExpressibleByArgument {}

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the step graph as text, Graphviz dot, or a Mermaid flowchart.")

    @OptionGroup var input: PlaybookInput

    @Option(help: "text, dot (render with Graphviz: dot -Tsvg) or mermaid (renders in Markdown viewers).")
    var format: GraphFormat = .text

    func run() async throws {
        let checked = try input.load(permissions: .warn)
        let types = checked.steps.mapValues(\.type.name)
        Console.out(checked.graph.render(format, types: types))
    }
}
