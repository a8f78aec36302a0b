import Document
import Graph

extension StepGraph {
    /// The graph of a playbook's steps and their `needs`, each need at the position it was written.
    public static func build(_ playbook: Playbook) throws(Diagnostics) -> StepGraph {
        try build(playbook.steps.map { step in
            Node(id: step.id, needs: step.needs.map { Need($0.id, at: $0.mark) })
        })
    }
}
