import Document
import Engine
import Kube

/// `kube.namespaces`: namespaces, with optional labels.
public struct NamespacesStep: StepDriver {
    public struct Parameters: Decodable, Sendable {
        public var names: [String]
        public var labels: [String: String]?
    }

    public static let type = "kube.namespaces"
    public static let version = 1
    public static let target = StepTarget.cluster
    public static let summary = "Namespaces, with optional labels."

    let parameters: Parameters
    public init(id: String, parameters: Parameters) { self.parameters = parameters }

    public static func validate(_ parameters: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var seen: Set<String> = []
        for (index, name) in parameters.names.enumerated() {
            if !KubeNames.isDNSLabel(name) {
                problems.append(context.error("namespace \"\(name)\" is not a valid name (lowercase letters, digits and '-', at most 63)", at: "names", String(index)))
            }
            if !seen.insert(name).inserted {
                problems.append(context.error("namespace \"\(name)\" is listed twice", at: "names", String(index)))
            }
        }
        problems += ParameterRules.checkLabels(parameters.labels, context, at: "labels")
        return problems
    }

    public func check(_ context: StepContext) async throws -> ChangeSet {
        ChangeSet(objects: parameters.names.map { name in
            var metadata: Value = ["name": .string(name)]
            if let labels = parameters.labels { metadata["labels"] = .object(Object(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })) }
            return ["apiVersion": "v1", "kind": "Namespace", "metadata": metadata]
        })
    }
}
