import Document
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// rbac.oidc judged by the real RBAC authorizer: SubjectAccessReviews for an OIDC user in each
/// group, as the API server would see a logged-in person (`--oidc-groups-prefix` applied).
@Suite struct RBACAuthorizerTests {
    struct Check: CustomStringConvertible {
        var verb: String, group = "", resource: String, subresource = "", name = "", namespace: String
        var description: String {
            "\(verb) \(group.isEmpty ? "" : group + "/")\(resource)\(subresource.isEmpty ? "" : "/" + subresource)"
                + "\(name.isEmpty ? "" : " " + name) in \(namespace.isEmpty ? "(cluster)" : namespace)"
        }
    }

    /// Asks the real authorizer (a SubjectAccessReview, posted with kubectl: KubeClient requires a
    /// metadata.name, which the API refuses on reviews).
    static func allowed(_ check: Check, groups: [String]) throws -> Bool {
        var attributes: Value = ["verb": .string(check.verb), "group": .string(check.group), "resource": .string(check.resource)]
        if !check.subresource.isEmpty { attributes["subresource"] = .string(check.subresource) }
        if !check.name.isEmpty { attributes["name"] = .string(check.name) }
        if !check.namespace.isEmpty { attributes["namespace"] = .string(check.namespace) }
        let review: Value = [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": ["user": "faf:it-person", "groups": .array(groups.map { .string($0) }), "resourceAttributes": attributes],
        ]
        let answer = try RealServer.kubectlOK(["create", "-f", "-", "-o", "jsonpath={.status.allowed}"], input: JSON.encode(review))
        return answer == "true"
    }

    @Test func everyGrantAllowsItsServicesAndNothingElse() async throws {
        try await RealServer.prepared()
        let id = UUID().uuidString.prefix(6).lowercased()
        let apps = "it-rbac-\(id)-apps", infra = "it-rbac-\(id)-infra"
        func playbook(withDevelopers: Bool) -> String {
            """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: it-rbac-\(id)}
            steps:
              - id: namespaces
                type: kube.namespaces
                with: {names: [\(apps), \(infra)]}
              - id: people
                type: rbac.oidc
                needs: [namespaces]
                with:
                  groupsPrefix: "faf:"
                  adminGroup: it-admins-\(id)
                  services: {\(apps): [api, website, hydra], \(infra): [db]}
                  grants:
                    - {group: api-\(id), namespace: \(apps), services: [api], access: [logs, config, deploy]}
                    - {group: db-\(id), namespace: \(infra), services: [db], access: [logs, deploy]}
            \(withDevelopers ? "        - {group: dev-\(id), namespace: \(apps), services: [api, website], access: [logs]}" : "")
            """
        }
        let rig = try RealRig()
        let report = try await rig.apply(try rig.playbook(text: playbook(withDevelopers: true)), gated: false)
        #expect(report.failed.isEmpty, "\(report.summary)")

        // The api maintainers: logs, config and deploy of `api`, in its namespace only.
        let api = ["faf:api-\(id)", "system:authenticated"]
        let mustAllow = [
            Check(verb: "list", resource: "pods", namespace: apps),
            Check(verb: "get", resource: "pods", subresource: "log", name: "api-7d9f-abcde", namespace: apps),
            Check(verb: "get", resource: "configmaps", name: "api", namespace: apps),
            Check(verb: "patch", resource: "configmaps", name: "api", namespace: apps),
            Check(verb: "update", resource: "secrets", name: "api", namespace: apps),
            Check(verb: "get", group: "apps", resource: "deployments", name: "api", namespace: apps),
            Check(verb: "patch", group: "apps", resource: "deployments", name: "api", namespace: apps),
            Check(verb: "update", group: "apps", resource: "statefulsets", subresource: "scale", name: "api", namespace: apps),
        ]
        let mustDeny = [
            Check(verb: "get", resource: "secrets", name: "website", namespace: apps),      // another service's Secret
            Check(verb: "list", resource: "secrets", namespace: apps),                      // every Secret
            Check(verb: "watch", resource: "configmaps", namespace: apps),
            Check(verb: "get", resource: "secrets", name: "api", namespace: infra),         // another namespace
            Check(verb: "get", resource: "pods", subresource: "log", namespace: infra),
            Check(verb: "get", resource: "secrets", name: "api", namespace: "kube-system"),
            Check(verb: "create", group: "apps", resource: "deployments", namespace: apps), // create/delete
            Check(verb: "delete", group: "apps", resource: "deployments", name: "api", namespace: apps),
            Check(verb: "delete", resource: "pods", name: "api-7d9f-abcde", namespace: apps),
            Check(verb: "create", resource: "configmaps", namespace: apps),
            Check(verb: "patch", group: "apps", resource: "deployments", name: "website", namespace: apps),
            Check(verb: "create", resource: "pods", subresource: "exec", name: "api-7d9f-abcde", namespace: apps), // exec
            Check(verb: "create", resource: "pods", subresource: "portforward", name: "api-7d9f-abcde", namespace: apps),
            Check(verb: "create", group: "rbac.authorization.k8s.io", resource: "rolebindings", namespace: apps), // RBAC objects
            Check(verb: "patch", group: "rbac.authorization.k8s.io", resource: "roles", name: "oidc-group-api-\(id)", namespace: apps),
            Check(verb: "escalate", group: "rbac.authorization.k8s.io", resource: "roles", namespace: apps),
            Check(verb: "bind", group: "rbac.authorization.k8s.io", resource: "clusterroles", name: "cluster-admin", namespace: ""),
            Check(verb: "impersonate", resource: "users", name: "admin", namespace: ""),
            Check(verb: "list", resource: "namespaces", namespace: ""),
        ]
        for check in mustAllow { #expect(try Self.allowed(check, groups: api), "api maintainers cannot \(check)") }
        for check in mustDeny { #expect(!(try Self.allowed(check, groups: api)), "api maintainers can \(check)") }

        // Developers: logs only. Database admins: logs and deploy in their namespace, no config.
        let dev = ["faf:dev-\(id)"], db = ["faf:db-\(id)"]
        #expect(try Self.allowed(Check(verb: "get", resource: "pods", subresource: "log", namespace: apps), groups: dev))
        #expect(try Self.allowed(Check(verb: "get", group: "apps", resource: "deployments", name: "website", namespace: apps), groups: dev))
        #expect(!(try Self.allowed(Check(verb: "get", resource: "configmaps", name: "api", namespace: apps), groups: dev)))
        #expect(!(try Self.allowed(Check(verb: "patch", group: "apps", resource: "deployments", name: "api", namespace: apps), groups: dev)))
        #expect(try Self.allowed(Check(verb: "patch", group: "apps", resource: "statefulsets", name: "db", namespace: infra), groups: db))
        #expect(!(try Self.allowed(Check(verb: "get", resource: "secrets", name: "db", namespace: infra), groups: db)))
        #expect(!(try Self.allowed(Check(verb: "get", resource: "pods", namespace: apps), groups: db)))
        // Without the prefix the group is someone else's: the binding names the prefixed group.
        #expect(!(try Self.allowed(Check(verb: "list", resource: "pods", namespace: apps), groups: ["api-\(id)"])))
        // The admin group is cluster-admin, the deliberate exception.
        #expect(try Self.allowed(Check(verb: "delete", resource: "nodes", name: "any", namespace: ""), groups: ["faf:it-admins-\(id)"]))

        // What a person sees with kubectl (impersonating needs cluster-admin, which the test has).
        let canI = try RealServer.kubectl(["auth", "can-i", "get", "secrets/website", "-n", apps, "--as", "faf:it-person", "--as-group", "faf:api-\(id)"])
        #expect(canI.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "no")
        #expect(canI.status == 1)

        // Revoking: the developers' grant removed, their access ends on the re-run.
        let logs = Check(verb: "get", resource: "pods", subresource: "log", namespace: apps)
        let revoked = try await rig.apply(try rig.playbook(text: playbook(withDevelopers: false)), gated: false)
        #expect(revoked.outcome("people") == "applied", "\(revoked.summary)")
        #expect(!(try Self.allowed(logs, groups: dev)), "a revoked grant still allows reading logs")
        #expect(try Self.allowed(logs, groups: api), "revoking one grant removed another")
    }
}
