import Document
import Engine
import Kube

/// `kube.namespaces`: namespaces, with optional labels.
public struct NamespacesStep: StepDriver {
    public struct Parameters: Decodable, Sendable {
        public var names: [String]
        public var labels: [String: String]?
        /// Container defaults for every namespace listed, as a LimitRange `bootstrap-defaults`: what a
        /// workload without its own requests and limits gets (`app.workload` refuses one with neither).
        public var defaultResources: AppWorkload.Resources?
    }

    /// The LimitRange's name in each namespace.
    public static let limitRangeName = "bootstrap-defaults"


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
        for (section, amounts) in [("requests", parameters.defaultResources?.requests), ("limits", parameters.defaultResources?.limits)] {
            for (resource, text) in [("cpu", amounts?.cpu), ("memory", amounts?.memory)] {
                guard let text else { continue }
                do { _ = try Quantity(text) } catch { problems.append(context.error(error.description, at: "defaultResources", section, resource)) }
            }
        }
        return problems
    }

    public func check(_ context: StepContext) async throws -> ChangeSet {
        let namespaces: [Value] = parameters.names.map { name in
            var metadata: Value = ["name": .string(name)]
            if let labels = parameters.labels { metadata["labels"] = .object(Object(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })) }
            return ["apiVersion": "v1", "kind": "Namespace", "metadata": metadata]
        }
        return ChangeSet(objects: namespaces + parameters.names.compactMap(limitRange))
    }

    /// LimitRange `bootstrap-defaults`: `default` holds the limits, `defaultRequest` the requests
    /// (pkg/apis/core/types.go, LimitRangeItem; type Container).
    func limitRange(_ namespace: String) -> Value? {
        guard let defaults = parameters.defaultResources else { return nil }
        func amounts(_ a: AppWorkload.ResourceAmounts?) -> Value? {
            var o = Object()
            if let cpu = a?.cpu { o["cpu"] = .string(cpu) }
            if let memory = a?.memory { o["memory"] = .string(memory) }
            return o.isEmpty ? nil : .object(o)
        }
        var item: Value = ["type": "Container"]
        if let limits = amounts(defaults.limits) { item["default"] = limits }
        if let requests = amounts(defaults.requests) { item["defaultRequest"] = requests }
        return [
            "apiVersion": "v1", "kind": "LimitRange",
            "metadata": ["name": .string(Self.limitRangeName), "namespace": .string(namespace)],
            "spec": ["limits": [item]],
        ]
    }
}
