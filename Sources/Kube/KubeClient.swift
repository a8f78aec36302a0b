import Document

// CONTRACT STUB: the Kube issue replaces this file with the libcurl implementation, keeping these
// signatures (or extending them). Engine and Steps code against exactly this surface.

/// Names one Kubernetes object.
public struct ObjectRef: Sendable, Hashable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    public var namespace: String?
    public var name: String

    public init(apiVersion: String, kind: String, namespace: String? = nil, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// The reference of a full object (apiVersion, kind, metadata.namespace, metadata.name).
    public init?(_ object: Value) {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
              let name = object[path: ["metadata", "name"]]?.stringValue else { return nil }
        self.init(apiVersion: apiVersion, kind: kind, namespace: object[path: ["metadata", "namespace"]]?.stringValue, name: name)
    }

    public var description: String { "\(kind) \(namespace.map { "\($0)/" } ?? "")\(name)" }
}

/// Requests made so far in this run.
public struct RequestStats: Sendable, Equatable {
    public var total: Int
    /// Non-dry-run POST, PUT, PATCH and DELETE.
    public var writes: Int
    public init(total: Int = 0, writes: Int = 0) {
        self.total = total
        self.writes = writes
    }
}

/// A Kubernetes API client (stub until the Kube issue lands).
public final class KubeClient: Sendable {
    public init() {}
    public func get(_ ref: ObjectRef) async throws -> Value? { throw KubeStubError() }
    public func list(apiVersion: String, kind: String, namespace: String?, labelSelector: String?) async throws -> [Value] { throw KubeStubError() }
    /// Server-side apply: PATCH application/apply-patch+yaml, fieldManager=bootstrap, force=true.
    public func apply(_ object: Value, dryRun: Bool) async throws -> Value { throw KubeStubError() }
    public func create(_ object: Value) async throws -> Value { throw KubeStubError() }
    public func replace(_ object: Value) async throws -> Value { throw KubeStubError() }
    public func mergePatch(_ ref: ObjectRef, patch: Value) async throws -> Value { throw KubeStubError() }
    public func delete(_ ref: ObjectRef) async throws { throw KubeStubError() }
    /// GET /readyz: true when the API server answers ok.
    public func ready() async -> Bool { false }
    /// Whether discovery knows this kind (refreshing once when it does not).
    public func knows(apiVersion: String, kind: String) async throws -> Bool { throw KubeStubError() }
    public var stats: RequestStats { RequestStats() }
}

struct KubeStubError: Error {}

/// STUB: the Kube issue defines the real error; the engine relies on `reason` and `description`.
public struct KubeError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case notFound, alreadyExists, conflict, invalid, forbidden, unauthorized, tooManyRequests
        case serverTimeout, internalError, badRequest, other, transport
    }
    public var reason: Reason
    public var message: String
    public var description: String { message }
}
