import Document
import Engine
import Kube

/// How `k3s.install` learns that k3s is up: the API answers, then the node reports Ready.
public struct K3sReadiness: Sendable {
    public var api: @Sendable (StepContext) async -> Bool
    public var node: @Sendable (_ name: String, StepContext) async -> Bool

    public init(api: @escaping @Sendable (StepContext) async -> Bool,
                node: @escaping @Sendable (_ name: String, StepContext) async -> Bool) {
        self.api = api
        self.node = node
    }

    /// Asks the API server: `/readyz`, then the Node's Ready condition. Connecting is retried on every
    /// poll because the kubeconfig only appears once k3s has started.
    public static let kubernetesAPI = K3sReadiness(
        api: { context in
            guard let kube = try? await context.connect() else { return false }
            return await kube.ready()
        },
        node: { name, context in
            guard let kube = try? await context.connect(),
                  let node = try? await kube.get(ObjectRef(apiVersion: "v1", kind: "Node", name: name)) else { return false }
            return isReady(node)
        })

    /// Whether a Node object's Ready condition is True.
    public static func isReady(_ node: Value) -> Bool {
        let conditions = node[path: ["status", "conditions"]]?.arrayValue ?? []
        return conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
    }
}
