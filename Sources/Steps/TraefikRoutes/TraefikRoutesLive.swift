import Document
import Platform
import Engine
import Kube

// `bootstrap verify` asks every host name of the IngressRoutes bootstrap made (whichever step made
// them) through the node's 443.
extension TraefikRoutes: RoutesHostNames {
    public static func routedHosts(_ kube: KubeClient, labelSelector: String) async throws -> [String] {
        guard try await kube.knows(apiVersion: "traefik.io/v1alpha1", kind: "IngressRoute") else { return [] }
        var hosts: [String] = []
        for route in try await kube.list(apiVersion: "traefik.io/v1alpha1", kind: "IngressRoute", namespace: nil, labelSelector: labelSelector) {
            for rule in route[path: ["spec", "routes"]]?.arrayValue ?? [] {
                for name in hostNames(rule["match"]?.stringValue ?? "") where !hosts.contains(name) { hosts.append(name) }
            }
        }
        return hosts
    }

    /// The names in `Host(`a`, `b`)` of a Traefik rule.
    static func hostNames(_ rule: String) -> [String] {
        var names: [String] = []
        var rest = Substring(rule)
        while let start = rest.firstRange(of: "Host(") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: ")") else { break }
            names += rest[..<end].split(separator: ",").map { String($0).trimming(.whitespaceAndNewlines).filter { $0 != "`" && $0 != "\"" } }
            rest = rest[end...]
        }
        return names.filter { !$0.isEmpty }
    }
}
