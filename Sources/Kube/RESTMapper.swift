import Document
import Synchronization

/// Where a kind lives in the REST API.
public struct ResourceInfo: Sendable, Equatable {
    /// `v1` or `group/version`.
    public var groupVersion: String
    /// The plural resource name, e.g. `configmaps`.
    public var resource: String
    public var namespaced: Bool

    /// `/api/v1` or `/apis/group/version`.
    public var prefix: String { groupVersion.contains("/") ? "/apis/\(groupVersion)" : "/api/\(groupVersion)" }

    public func collectionPath(namespace: String?) -> String {
        if namespaced, let namespace { return "\(prefix)/namespaces/\(namespace)/\(resource)" }
        return "\(prefix)/\(resource)"
    }
}

/// apiVersion + kind -> resource, from discovery, fetched lazily per group version and cached for
/// the run: a no-op run only pays for the group versions it touches.
final class RESTMapper: Sendable {
    /// The kinds the ledger reads, known without discovery: the core API's ConfigMap and Secret have
    /// been namespaced `configmaps` and `secrets` in `v1` since Kubernetes 1.0, and a served version
    /// never changes (the API's deprecation policy). A no-op re-run's first request is then the
    /// ledger itself, not `/api/v1` (docs/performance.md); any other `v1` kind still asks the server.
    static let known: [String: [String: ResourceInfo]] = ["v1": [
        "ConfigMap": ResourceInfo(groupVersion: "v1", resource: "configmaps", namespaced: true),
        "Secret": ResourceInfo(groupVersion: "v1", resource: "secrets", namespaced: true),
    ]]

    /// groupVersion -> kind -> resource; a group version is present once fetched (empty if not served).
    private let cache = Mutex<[String: [String: ResourceInfo]]>(RESTMapper.known)

    /// The resource for a kind, or nil when the server does not serve it. A miss refetches that
    /// group version once, so a CRD established earlier in the run becomes usable.
    func resource(apiVersion: String, kind: String, fetch: (String) async throws -> Value?) async throws -> ResourceInfo? {
        if let hit = cache.withLock({ $0[apiVersion]?[kind] }) { return hit }
        let path = ResourceInfo(groupVersion: apiVersion, resource: "", namespaced: false).prefix
        let list = try await fetch(path)
        var kinds: [String: ResourceInfo] = [:]
        for entry in list?["resources"]?.arrayValue ?? [] {
            // Subresources (pods/log, deployments/scale) share their parent's kind.
            guard let name = entry["name"]?.stringValue, !name.contains("/"), let entryKind = entry["kind"]?.stringValue else { continue }
            kinds[entryKind] = ResourceInfo(groupVersion: apiVersion, resource: name, namespaced: entry["namespaced"]?.boolValue ?? false)
        }
        cache.withLock { $0[apiVersion] = kinds }
        return kinds[kind]
    }

    /// Forgets everything, e.g. after the API server was reinstalled.
    func reset() { cache.withLock { $0 = Self.known } }
}
