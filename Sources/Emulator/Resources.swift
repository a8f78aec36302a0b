import Document

/// One served resource: what discovery lists and what the router resolves a path to.
struct ResourceType: Sendable {
    var group: String
    var version: String
    var plural: String
    var singular: String
    var kind: String
    var namespaced: Bool
    var shortNames: [String] = []
    var categories: [String] = []
    /// Whether `/status` is a subresource (then the main resource ignores status changes).
    var hasStatus: Bool = false
    /// The CRD's `openAPIV3Schema` for this version; nil for built-in types.
    var schema: Value? = nil
    /// The schema as server-side apply and field validation read it (nil for built-in types).
    var crdShape: Shape? = nil

    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var groupVersion: String { apiVersion }
    /// `configmaps` or `ingressroutes.traefik.io`, as error messages name resources.
    var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }
    /// Storage key: versions of one group share their objects.
    var storageKey: String { "\(group)/\(plural)" }

    static let verbs: [Value] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    var discoveryEntries: [Value] {
        var entry: Value = [
            "name": .string(plural), "singularName": .string(singular), "namespaced": .bool(namespaced),
            "kind": .string(kind), "verbs": .array(Self.verbs),
        ]
        if !shortNames.isEmpty { entry["shortNames"] = .array(shortNames.map { .string($0) }) }
        if !categories.isEmpty { entry["categories"] = .array(categories.map { .string($0) }) }
        entry["storageVersionHash"] = .string(String(UInt32(truncatingIfNeeded: stableHash(apiVersion + kind)), radix: 36))
        var entries = [entry]
        if hasStatus {
            entries.append([
                "name": .string("\(plural)/status"), "singularName": "", "namespaced": .bool(namespaced),
                "kind": .string(kind), "verbs": ["get", "patch", "update"],
            ])
        }
        return entries
    }
}

/// FNV-1a: stable across runs, unlike `Hasher`.
func stableHash(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}

enum BuiltIn {
    private static func t(_ group: String, _ version: String, _ plural: String, _ kind: String, namespaced: Bool = true,
                          short: [String] = [], status: Bool = false, categories: [String] = []) -> ResourceType {
        ResourceType(group: group, version: version, plural: plural, singular: kind.lowercased(), kind: kind,
                     namespaced: namespaced, shortNames: short, categories: categories, hasStatus: status)
    }

    /// The built-in types, in the order discovery lists their groups.
    static let types: [ResourceType] = [
        t("", "v1", "namespaces", "Namespace", namespaced: false, short: ["ns"], status: true),
        t("", "v1", "configmaps", "ConfigMap", short: ["cm"]),
        t("", "v1", "secrets", "Secret"),
        t("", "v1", "services", "Service", short: ["svc"], status: true, categories: ["all"]),
        t("", "v1", "persistentvolumes", "PersistentVolume", namespaced: false, short: ["pv"], status: true),
        t("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", short: ["pvc"], status: true),
        t("", "v1", "nodes", "Node", namespaced: false, short: ["no"], status: true),
        t("", "v1", "pods", "Pod", short: ["po"], status: true, categories: ["all"]),
        t("", "v1", "serviceaccounts", "ServiceAccount", short: ["sa"]),
        t("", "v1", "events", "Event", short: ["ev"]),
        t("", "v1", "endpoints", "Endpoints", short: ["ep"]),
        t("", "v1", "limitranges", "LimitRange", short: ["limits"]),
        t("apps", "v1", "deployments", "Deployment", short: ["deploy"], status: true, categories: ["all"]),
        t("apps", "v1", "statefulsets", "StatefulSet", short: ["sts"], status: true, categories: ["all"]),
        t("apps", "v1", "daemonsets", "DaemonSet", short: ["ds"], status: true, categories: ["all"]),
        t("apps", "v1", "replicasets", "ReplicaSet", short: ["rs"], status: true, categories: ["all"]),
        t("rbac.authorization.k8s.io", "v1", "roles", "Role"),
        t("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding"),
        t("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", namespaced: false),
        t("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", namespaced: false),
        t("storage.k8s.io", "v1", "storageclasses", "StorageClass", namespaced: false, short: ["sc"]),
        t("coordination.k8s.io", "v1", "leases", "Lease"),
        t("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", namespaced: false,
          short: ["crd", "crds"], status: true),
        t("batch", "v1", "jobs", "Job", status: true, categories: ["all"]),
        t("batch", "v1", "cronjobs", "CronJob", short: ["cj"], status: true, categories: ["all"]),
        t("networking.k8s.io", "v1", "ingresses", "Ingress", short: ["ing"], status: true),
        t("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", short: ["netpol"]),
        t("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", short: ["pdb"], status: true),
    ]

    static func type(kind: String, group: String) -> ResourceType? {
        types.first { $0.kind == kind && $0.group == group }
    }
    static let namespace = type(kind: "Namespace", group: "")!
    static let job = type(kind: "Job", group: "batch")!
    static let node = type(kind: "Node", group: "")!
    static let crd = type(kind: "CustomResourceDefinition", group: "apiextensions.k8s.io")!
}

/// Every served type, built-in and from Established CRDs, indexed the ways the router asks.
struct Registry {
    private(set) var byGroupVersion: [String: [ResourceType]] = [:]
    /// group -> versions in preference order (the storage version first, as the CRD lists them otherwise).
    private(set) var groupVersions: [(group: String, versions: [String])] = []
    /// CRD name -> the types it serves.
    private var custom: [String: [ResourceType]] = [:]

    init() { rebuild() }

    func lookup(groupVersion: String, plural: String) -> ResourceType? {
        byGroupVersion[groupVersion]?.first { $0.plural == plural }
    }

    func lookup(apiVersion: String, kind: String) -> ResourceType? {
        byGroupVersion[apiVersion]?.first { $0.kind == kind }
    }

    mutating func setCustom(_ crdName: String, _ types: [ResourceType]?) {
        custom[crdName] = types
        rebuild()
    }

    private mutating func rebuild() {
        var byGV: [String: [ResourceType]] = [:]
        var order: [(String, [String])] = []
        func add(_ t: ResourceType) {
            if byGV[t.groupVersion] == nil {
                if let i = order.firstIndex(where: { $0.0 == t.group }) { order[i].1.append(t.version) }
                else { order.append((t.group, [t.version])) }
            }
            byGV[t.groupVersion, default: []].append(t)
        }
        BuiltIn.types.forEach(add)
        for name in custom.keys.sorted() { custom[name]!.forEach(add) }
        byGroupVersion = byGV
        groupVersions = order.map { (group: $0.0, versions: $0.1) }
    }
}
