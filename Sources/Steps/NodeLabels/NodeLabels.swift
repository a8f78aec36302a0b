import Document
import Engine

/// `kube.node-labels`: labels on a Node, server-side applied so labels other managers set stay.
///
/// k3s only applies its `node-label` settings when a node registers, so labels that must change
/// later go through the API.
public struct NodeLabels: StepDriver {
    public struct Parameters: Decodable, Sendable {
        public var node: String
        public var labels: [String: String]

        package init(node: String, labels: [String: String]) {
            self.node = node
            self.labels = labels
        }
    }

    public static let type = "kube.node-labels"
    public static let version = 1
    public static let target = StepTarget.cluster
    public static let summary = "Set labels on a Node with server-side apply"

    public let id: String
    public let parameters: Parameters
    public init(id: String, parameters: Parameters) {
        self.id = id
        self.parameters = parameters
    }

    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if !ParameterRules.isDNSSubdomain(p.node) {
            diagnostics.append(context.error("node \"\(p.node)\" is not a valid node name (lower-case DNS name)", at: "node"))
        }
        if p.labels.isEmpty { diagnostics.append(context.error("labels must not be empty", at: "labels")) }
        diagnostics += ParameterRules.checkLabels(p.labels, context, at: "labels")
        return diagnostics
    }

    /// The Node as applied: only its name and these labels, so the apply claims nothing else.
    var object: Value {
        let labels = Object(parameters.labels.keys.sorted().map { ($0, Value.string(parameters.labels[$0]!)) })
        return ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(parameters.node), "labels": .object(labels)]]
    }

    public func check(_ context: StepContext) async throws -> ChangeSet {
        ChangeSet(objects: [object])
    }
}
