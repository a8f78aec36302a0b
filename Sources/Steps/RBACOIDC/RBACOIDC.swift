import Document
import Engine

/// `rbac.oidc`: least-privilege Roles for groups of people who log in to the API server through
/// OIDC (FAF's Ory Hydra), bound to the prefixed OIDC group; optionally one admin group bound to
/// `cluster-admin`.
///
/// `groupsPrefix` is a parameter of this step even when `k3s.install` sets it too (validation
/// requires them to agree): the ledger re-runs a step when its own parameters change, so the
/// prefix the bindings name must be one of them.
public struct RBACOIDC: StepDriver {
    public struct Parameters: Decodable, Sendable {
        /// The API server's `--oidc-groups-prefix` ("" when it has none).
        public var groupsPrefix: String?
        /// An OIDC group bound to the built-in `cluster-admin` ClusterRole.
        public var adminGroup: String?
        public var grants: [Grant]?
        /// Services per namespace, for playbooks whose other steps do not name them.
        public var services: [String: [String]]?
        /// The API server's `--oidc-username-prefix`, for grants that name users ("" when it has none).
        public var usernamePrefix: String?

        package init(groupsPrefix: String? = nil, adminGroup: String? = nil, grants: [Grant]? = nil, services: [String: [String]]? = nil,
                     usernamePrefix: String? = nil) {
            self.usernamePrefix = usernamePrefix
            self.groupsPrefix = groupsPrefix
            self.adminGroup = adminGroup
            self.grants = grants
            self.services = services
        }
    }

    /// Access of one OIDC group to some services of one namespace.
    public struct Grant: Decodable, Sendable {
        public var group: String
        public var namespace: String
        public var services: [String]
        public var access: [RBACAccess]
        /// People bound by name as well as through the group (OIDC users, prefixed like the server does).
        public var users: [String]?

        package init(group: String, namespace: String, services: [String], access: [RBACAccess], users: [String]? = nil) {
            self.users = users
            self.group = group
            self.namespace = namespace
            self.services = services
            self.access = access
        }
    }

    public static let type = "rbac.oidc"
    public static let version = 1
    public static let target = StepTarget.cluster
    public static let summary = "Least-privilege Roles (logs, config, deploy per service) for OIDC groups, and an optional admin group"

    static let rbacGroup = "rbac.authorization.k8s.io"
    static let rbacVersion = "rbac.authorization.k8s.io/v1"
    /// Names of the objects this step writes start with this, so they read apart from others' RBAC.
    /// (Kubernetes would take ':' in RBAC names, but a DNS name is valid everywhere.)
    static let namePrefix = "oidc-group-"
    static let adminSuffix = "-cluster-admin"

    public let id: String
    public let parameters: Parameters

    public init(id: String, parameters: Parameters) {
        self.id = id
        self.parameters = parameters
    }

    var prefix: String { parameters.groupsPrefix ?? "" }
    var grants: [Grant] { parameters.grants ?? [] }

    /// Roles and RoleBindings (one pair per group and namespace), then the admin ClusterRoleBinding.
    public var objects: [Value] {
        var pairs: [(group: String, namespace: String)] = []
        for grant in grants where !pairs.contains(where: { $0 == (grant.group, grant.namespace) }) {
            pairs.append((grant.group, grant.namespace))
        }
        var objects: [Value] = []
        for (group, namespace) in pairs {
            let mine = grants.filter { $0.group == group && $0.namespace == namespace }
            objects.append(role(group: group, namespace: namespace, rules: Self.rules(of: mine)))
            objects.append(roleBinding(group: group, namespace: namespace, users: Self.unique(mine.flatMap { $0.users ?? [] })))
        }
        if let admin = parameters.adminGroup { objects.append(adminBinding(admin)) }
        return objects
    }

    /// The rules of several grants, access levels in a fixed order, exact duplicates dropped.
    static func rules(of grants: [Grant]) -> [RBACRule] {
        var rules: [RBACRule] = []
        for grant in grants {
            let services = unique(grant.services)
            for access in RBACAccess.allCases where grant.access.contains(access) {
                for rule in access.rules(services: services) where !rules.contains(rule) { rules.append(rule) }
            }
        }
        return rules
    }

    static func unique(_ items: [String]) -> [String] {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }

    func subject(_ group: String) -> Value {
        ["kind": "Group", "apiGroup": .string(Self.rbacGroup), "name": .string(prefix + group)]
    }

    func role(group: String, namespace: String, rules: [RBACRule]) -> Value {
        ["apiVersion": .string(Self.rbacVersion), "kind": "Role",
         "metadata": ["name": .string(Self.namePrefix + group), "namespace": .string(namespace)],
         "rules": .array(rules.map(\.value))]
    }

    func userSubject(_ user: String) -> Value {
        ["kind": "User", "apiGroup": .string(Self.rbacGroup), "name": .string((parameters.usernamePrefix ?? "") + user)]
    }

    func roleBinding(group: String, namespace: String, users: [String] = []) -> Value {
        ["apiVersion": .string(Self.rbacVersion), "kind": "RoleBinding",
         "metadata": ["name": .string(Self.namePrefix + group), "namespace": .string(namespace)],
         "subjects": .array([subject(group)] + users.map(userSubject)),
         "roleRef": ["apiGroup": .string(Self.rbacGroup), "kind": "Role", "name": .string(Self.namePrefix + group)]]
    }

    func adminBinding(_ group: String) -> Value {
        ["apiVersion": .string(Self.rbacVersion), "kind": "ClusterRoleBinding",
         "metadata": ["name": .string(Self.namePrefix + group + Self.adminSuffix)],
         "subjects": [subject(group)],
         "roleRef": ["apiGroup": .string(Self.rbacGroup), "kind": "ClusterRole", "name": "cluster-admin"]]
    }

    /// What the reviewer must know: permissions wider than the grant reads, and the admin group.
    public var warnings: [String] {
        var warnings: [String] = []
        for (index, grant) in grants.enumerated() where grant.access.contains(.logs) {
            let services = Self.unique(grant.services).joined(separator: ", ")
            warnings.append(
                "grants.\(index) (group \"\(grant.group)\", logs of \(services) in \(grant.namespace)): "
                    + "pods and pods/log cannot be limited to \(services): pod names are generated by their Deployment or "
                    + "StatefulSet, so resourceNames cannot name them, and list is never narrowed by resourceNames. "
                    + "The group can list and read every pod in namespace \(grant.namespace) and read every pod's logs there.")
        }
        if let admin = parameters.adminGroup {
            warnings.append(
                "adminGroup \"\(admin)\" is bound to the built-in ClusterRole cluster-admin: anyone whose token carries the group "
                    + "\"\(prefix + admin)\" has full control of the whole cluster, every Secret and RBAC included. "
                    + "This is the one deliberate exception to least privilege.")
        }
        return warnings
    }
}
