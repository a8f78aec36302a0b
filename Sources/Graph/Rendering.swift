import Document

/// Output formats of `bootstrap graph`.
public enum GraphFormat: String, Sendable, CaseIterable {
    case text, dot, mermaid
}

extension StepGraph {
    /// The graph as text (one line per step, in run order), Graphviz dot, or a Mermaid flowchart.
    public func render(_ format: GraphFormat, types: [String: String] = [:]) -> String {
        switch format {
        case .text:
            return order.map { id in
                let type = types[id].map { " (\($0))" } ?? ""
                let deps = needs[id] ?? []
                return deps.isEmpty ? "\(id)\(type)" : "\(id)\(type) <- \(deps.joined(separator: ", "))"
            }.joined(separator: "\n") + "\n"
        case .dot:
            var lines = ["digraph playbook {", "  rankdir=LR;", "  node [shape=box, style=rounded];"]
            for id in ids {
                let label = types[id].map { "\(id)\\n\($0)" } ?? id
                lines.append("  \"\(id)\" [label=\"\(label)\"];")
            }
            for id in ids { for need in needs[id] ?? [] { lines.append("  \"\(need)\" -> \"\(id)\";") } }
            lines.append("}")
            return lines.joined(separator: "\n") + "\n"
        case .mermaid:
            // Mermaid ids cannot contain '-' in every renderer; use an index and keep the id as label.
            let index = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, "s\($0)") })
            var lines = ["flowchart LR"]
            for id in ids {
                let label = types[id].map { "\(id)<br/><small>\($0)</small>" } ?? id
                lines.append("  \(index[id]!)[\"\(label)\"]")
            }
            for id in ids { for need in needs[id] ?? [] { lines.append("  \(index[need]!) --> \(index[id]!)") } }
            return lines.joined(separator: "\n") + "\n"
        }
    }
}

extension StepGraph {
    /// The graph as JSON, for tools: `{"playbook", "steps": [{"id", "type", "needs"}]}` with the
    /// playbook's name (as plan's JSON has it), steps in run order (the order of the text form) and
    /// each step's needs as written; type is null when unknown.
    public func json(playbook: String, types: [String: String] = [:]) -> Value {
        [
            "playbook": .string(playbook),
            "steps": .array(order.map { id in
                [
                    "id": .string(id), "type": types[id].map(Value.string) ?? .null,
                    "needs": .array((needs[id] ?? []).map(Value.string)),
                ]
            }),
        ]
    }
}
