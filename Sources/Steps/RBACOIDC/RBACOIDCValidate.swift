import Document
import Engine

extension RBACOIDC {
    /// Namespaces every cluster has, so grants to them need no kube.namespaces step.
    static let builtInNamespaces = ["default", "kube-system"]

    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var diagnostics = validateOIDC(p, context)
        if (p.grants ?? []).isEmpty && p.adminGroup == nil {
            diagnostics.append(context.error("grants nothing: add grants or an adminGroup"))
        }
        if let admin = p.adminGroup, let problem = groupProblem(admin) {
            diagnostics.append(context.error("adminGroup \(problem)", at: "adminGroup"))
        }
        diagnostics += validateUsers(p, context)
        let namespaces = knownNamespaces(p, context, &diagnostics)
        let services = knownServices(p, context)
        for (index, grant) in (p.grants ?? []).enumerated() {
            let at = String(index)
            if let problem = groupProblem(grant.group) {
                diagnostics.append(context.error("group \(problem)", at: "grants", at, "group"))
            }
            if grant.access.isEmpty { diagnostics.append(context.error("access must list at least one of logs, config, deploy", at: "grants", at, "access")) }
            if grant.services.isEmpty { diagnostics.append(context.error("services must name at least one service", at: "grants", at, "services")) }
            guard namespaces.contains(grant.namespace) else {
                let hint = suggestion(for: grant.namespace, among: namespaces.sorted()).map { " (did you mean \"\($0)\"?)" } ?? ""
                diagnostics.append(context.error(
                    "unknown namespace \"\(grant.namespace)\"\(hint): grants may name namespaces created by kube.namespaces steps, "
                        + "listed under services:, or \(builtInNamespaces.joined(separator: ", "))",
                    at: "grants", at, "namespace"))
                continue
            }
            let known = services[grant.namespace] ?? []
            for (i, service) in grant.services.enumerated() where !known.contains(service) {
                let message: String
                if known.isEmpty {
                    message = "no services are known in namespace \"\(grant.namespace)\": list them under services: {\(grant.namespace): [\(service), ...]}"
                } else {
                    let hint = suggestion(for: service, among: known.sorted()).map { " (did you mean \"\($0)\"?)" } ?? ""
                    message = "unknown service \"\(service)\" in namespace \"\(grant.namespace)\"\(hint)"
                }
                diagnostics.append(context.error(message, at: "grants", at, "services", String(i)))
            }
        }
        return diagnostics
    }

    /// The API server must accept OIDC logins with groups, under the prefix this step names.
    /// Users are bound by the name the API server gives them: its username prefix, then the claim.
    static func validateUsers(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        let named = (p.grants ?? []).enumerated().filter { !($0.element.users ?? []).isEmpty }
        guard let first = named.first else { return [] }
        var diagnostics: [Diagnostic] = []
        for (index, grant) in named {
            for (u, user) in (grant.users ?? []).enumerated()
            where user.isEmpty || user.contains(where: { $0.isWhitespace || $0.isNewline }) || user.utf8.count > 253 {
                diagnostics.append(context.error("user \"\(user)\" is not a username a token can carry (no spaces, at most 253 bytes)",
                                                 at: "grants", String(index), "users", String(u)))
            }
        }
        for install in context.steps(of: K3sInstall.self) {
            guard let oidc = install.parameters.oidc else { continue }
            let theirs = oidc.usernamePrefix ?? ""
            if p.usernamePrefix == nil {
                diagnostics.append(context.error(
                    "usernamePrefix is required when grants name users: set usernamePrefix: \"\(theirs)\", as step \"\(install.id)\" (k3s.install) does",
                    at: "grants", String(first.offset), "users"))
            } else if p.usernamePrefix != theirs {
                diagnostics.append(context.error(
                    "usernamePrefix \"\(p.usernamePrefix!)\" differs from oidc.usernamePrefix \"\(theirs)\" of step \"\(install.id)\" (k3s.install): "
                        + "the bindings would name users no token carries", at: "usernamePrefix"))
            }
        }
        return diagnostics
    }

    static func validateOIDC(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        let installs = context.steps(of: K3sInstall.self)
        if installs.isEmpty {
            guard p.groupsPrefix == nil else { return [] }
            return [context.error(
                "groupsPrefix is required when the playbook has no k3s.install step: set it to the API server's "
                    + "--oidc-groups-prefix (\"\" when it has none)")]
        }
        var diagnostics: [Diagnostic] = []
        for install in installs {
            guard let oidc = install.parameters.oidc else {
                diagnostics.append(context.error(
                    "step \"\(install.id)\" (k3s.install) has no oidc, so the API server accepts no OIDC logins; add to its with: "
                        + "oidc: {issuerURL: https://<hydra>, clientID: <client>, groupsClaim: groups, groupsPrefix: \"oidc:\"}"))
                continue
            }
            if oidc.groupsClaim == nil {
                diagnostics.append(context.error(
                    "step \"\(install.id)\" (k3s.install) sets no oidc.groupsClaim, so tokens carry no groups and no binding "
                        + "of this step would ever match; add groupsClaim: groups to its oidc"))
            }
            let theirs = oidc.groupsPrefix ?? ""
            if p.groupsPrefix == nil {
                diagnostics.append(context.error(
                    "groupsPrefix is required: set groupsPrefix: \"\(theirs)\", as step \"\(install.id)\" (k3s.install) does "
                        + "(a shared ${{ vars.* }} keeps them together)"))
            } else if p.groupsPrefix != theirs {
                diagnostics.append(context.error(
                    "groupsPrefix \"\(p.groupsPrefix!)\" differs from oidc.groupsPrefix \"\(theirs)\" of step \"\(install.id)\" (k3s.install): "
                        + "the bindings would name groups no token carries", at: "groupsPrefix"))
            }
        }
        return diagnostics
    }

    /// Namespaces grants may name; namespaces under services: must be created by the playbook when it creates any.
    static func knownNamespaces(_ p: Parameters, _ context: ValidationContext, _ diagnostics: inout [Diagnostic]) -> Set<String> {
        let steps = context.steps(of: NamespacesStep.self)
        let created = Set(steps.flatMap { $0.parameters.names })
        let declared = (p.services ?? [:]).keys.sorted()
        if !steps.isEmpty {
            let known = created.union(builtInNamespaces)
            for namespace in declared where !known.contains(namespace) {
                let hint = suggestion(for: namespace, among: known.sorted()).map { " (did you mean \"\($0)\"?)" } ?? ""
                diagnostics.append(context.error("services: namespace \"\(namespace)\" is not created by any kube.namespaces step\(hint)",
                                                 at: "services", namespace))
            }
        }
        return created.union(builtInNamespaces).union(declared)
    }

    /// Service names per namespace: listed under services:, or Deployments/StatefulSets of kube.objects steps.
    static func knownServices(_ p: Parameters, _ context: ValidationContext) -> [String: Set<String>] {
        var known: [String: Set<String>] = [:]
        for (namespace, names) in p.services ?? [:] { known[namespace, default: []].formUnion(names) }
        for step in context.steps(of: ObjectsStep.self) {
            for object in step.parameters.objects {
                guard let kind = object["kind"]?.stringValue, ["Deployment", "StatefulSet"].contains(kind),
                      let name = object[path: ["metadata", "name"]]?.stringValue else { continue }
                let namespace = object[path: ["metadata", "namespace"]]?.stringValue ?? "default"
                known[namespace, default: []].insert(name)
            }
        }
        return known
    }

    /// Why `group` cannot name an OIDC group here, or nil: it becomes part of object names.
    static func groupProblem(_ group: String) -> String? {
        let longest = 253 - namePrefix.count - adminSuffix.count
        if group.count > longest { return "\"\(group)\" is longer than \(longest) characters" }
        if !ParameterRules.isDNSSubdomain(group) {
            return "\"\(group)\" must be lowercase letters, digits, '-' and '.': it becomes part of the Role's name"
        }
        return nil
    }
}
