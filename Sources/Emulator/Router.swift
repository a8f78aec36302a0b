import Platform
import Document
import FoundationEssentials

/// What a request path names.
enum Route {
    case text(String)
    case value(Value)
    case resource(ResourceType, ns: String?, name: String?, subresource: String?)
}

/// Query parameters, percent-decoded; the last occurrence wins.
func parseQuery(_ query: String) -> [String: String] {
    var out: [String: String] = [:]
    for pair in query.split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        func decode(_ s: Substring) -> String {
            PercentEncoding.decode(String(s).replacing("+", with: " ")) ?? String(s)
        }
        out[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
    }
    return out
}

extension Store {
    /// Resolves a path against discovery; 404 (as the API server says it) for anything unknown.
    func route(_ path: String, serverAddress: String) throws(APIError) -> Route {
        let parts = path.split(separator: "/").map(String.init)
        switch parts.first {
        case "version": return .value(ServerInfo.version)
        case "healthz", "livez", "readyz": return .text("ok")
        case "openapi":
            guard parts.count >= 2, parts[1] == "v3" else { throw .unknownPath() }
            if parts.count == 2 { return .value(registry.openAPIRoot()) }
            guard ["api", "apis"].contains(parts[2]) else { throw .unknownPath() }
            guard let doc = registry.openAPIDocument(groupVersion: parts.dropFirst(3).joined(separator: "/")) else { throw .unknownPath() }
            return .value(doc)
        case "api":
            if let proxied = try serviceProxy(parts) { return proxied }
            if parts.count == 1 { return .value(registry.apiVersions(serverAddress: serverAddress)) }
            guard parts[1] == "v1" else { throw .unknownPath() }
            return try resourceRoute(groupVersion: "v1", rest: Array(parts.dropFirst(2)))
        case "apis":
            if parts.count == 1 { return .value(registry.groupList()) }
            if parts.count == 2 {
                guard let g = registry.group(parts[1]) else { throw .unknownPath() }
                return .value(g)
            }
            return try resourceRoute(groupVersion: "\(parts[1])/\(parts[2])", rest: Array(parts.dropFirst(3)))
        default:
            throw .unknownPath()
        }
    }

    private func resourceRoute(groupVersion: String, rest: [String]) throws(APIError) -> Route {
        if rest.isEmpty {
            guard let list = registry.resourceList(groupVersion: groupVersion) else { throw .unknownPath() }
            return .value(list)
        }
        var rest = rest[...]
        var ns: String?
        // namespaces/NS/RESOURCE...; but namespaces, namespaces/NAME and namespaces/NAME/status name Namespaces.
        if rest.first == "namespaces", rest.count >= 3, !(rest.count == 3 && ["status", "finalize"].contains(rest[rest.startIndex + 2])) {
            ns = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        }
        guard let t = registry.lookup(groupVersion: groupVersion, plural: rest.first!) else { throw .unknownPath() }
        rest = rest.dropFirst()
        if ns != nil && !t.namespaced { throw .unknownPath() }
        let name = rest.first
        let sub = rest.dropFirst().first
        if rest.count > 2 { throw .unknownPath() }
        if let sub, sub != "status" && !(sub == "finalize" && t.kind == "Namespace") { throw .unknownPath() }
        return .resource(t, ns: ns, name: name, subresource: sub)
    }
}
