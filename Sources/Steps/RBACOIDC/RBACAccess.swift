import Document
import Engine

/// An access level of `rbac.oidc`, and the one place that decides which RBAC rules it grants.
///
/// Kubernetes' `resourceNames` narrows `get`, `update`, `patch` and `delete` (and subresources,
/// by the parent's name), but never `create` or `deletecollection`, and `list`/`watch` only for
/// clients that send a `metadata.name` field selector. So every rule here either names the
/// service's objects, or is a read that cannot be narrowed and is reported in the plan.
public enum RBACAccess: String, ParameterEnum {
    /// Read pods and their logs: `kubectl logs deploy/<service>`, `kubectl get pods`.
    /// `pods` (get, list) and `pods/log` (get) cover every pod of the namespace: pod names are
    /// generated, so they cannot be named ahead of time. `get` on the service's Deployment or
    /// StatefulSet lets `kubectl logs deploy/<service>` find its pods.
    case logs
    /// Read and change the service's ConfigMap and Secret (both named after the service, as in
    /// FAF's gitops stack): get, update, patch. No list/watch/create, which cannot be narrowed.
    case config
    /// Change the service's Deployment or StatefulSet: get, update, patch (a rollout restart is a
    /// patch of the pod template) and the same on their `scale` subresource. No create/delete.
    case deploy

    /// The rules for this access to `services` of one namespace.
    public func rules(services: [String]) -> [RBACRule] {
        switch self {
        case .logs:
            return [
                RBACRule(apiGroups: [""], resources: ["pods"], verbs: ["get", "list"]),
                RBACRule(apiGroups: [""], resources: ["pods/log"], verbs: ["get"]),
                RBACRule(apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: ["get"], resourceNames: services),
            ]
        case .config:
            return [
                RBACRule(apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["get", "patch", "update"], resourceNames: services),
            ]
        case .deploy:
            return [
                RBACRule(apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: ["get", "patch", "update"],
                         resourceNames: services),
                RBACRule(apiGroups: ["apps"], resources: ["deployments/scale", "statefulsets/scale"], verbs: ["get", "patch", "update"],
                         resourceNames: services),
            ]
        }
    }
}

/// One PolicyRule of a Role.
public struct RBACRule: Sendable, Equatable {
    public var apiGroups: [String]
    public var resources: [String]
    public var verbs: [String]
    /// nil: every object of these resources in the namespace.
    public var resourceNames: [String]?

    package init(apiGroups: [String], resources: [String], verbs: [String], resourceNames: [String]? = nil) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
        self.resourceNames = resourceNames
    }

    /// The rule as the API server reads it.
    public var value: Value {
        var rule: Value = [
            "apiGroups": .array(apiGroups.map(Value.string)),
            "resources": .array(resources.map(Value.string)),
            "verbs": .array(verbs.map(Value.string)),
        ]
        if let resourceNames { rule["resourceNames"] = .array(resourceNames.map(Value.string)) }
        return rule
    }
}
