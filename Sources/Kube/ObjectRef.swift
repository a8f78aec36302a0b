import Document

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

    /// A short form for records: `apiVersion:kind:namespace:name` (no part of a reference holds a colon).
    public var compact: String { "\(apiVersion):\(kind):\(namespace ?? ""):\(name)" }

    public init?(compact: String) {
        let parts = compact.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, !parts[0].isEmpty, !parts[1].isEmpty, !parts[3].isEmpty else { return nil }
        self.init(apiVersion: parts[0], kind: parts[1], namespace: parts[2].isEmpty ? nil : parts[2], name: parts[3])
    }
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
