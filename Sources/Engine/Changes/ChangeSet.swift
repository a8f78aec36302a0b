import Document
import Host
import Kube

/// What a step would do, as values: host changes in the order they run, Kubernetes objects to
/// apply, objects to delete, and warnings for the reviewer.
///
/// `check` computes it from live state without changing anything; plan renders it; `apply`
/// performs exactly it.
public struct ChangeSet: Sendable {
    /// Host changes in order; empty when the host is as wanted.
    public var host: [HostChange]
    /// Desired Kubernetes objects, complete; the engine adds the managed-by label and step annotation.
    public var objects: [Value]
    /// Objects this step wrote before and no longer wants, deleted after the objects are applied.
    public var deletions: [ObjectRef]
    /// Things the reviewer must know (a permission that cannot be narrowed, say).
    public var warnings: [String]

    public init(host: [HostChange] = [], objects: [Value] = [], deletions: [ObjectRef] = [], warnings: [String] = []) {
        self.host = host
        self.objects = objects
        self.deletions = deletions
        self.warnings = warnings
    }

    /// The host changes as shell lines, as plans show them.
    public var hostLines: [String] { host.flatMap(\.lines) }

    /// Adds another change set's work after this one's (a step built from smaller ones).
    public mutating func append(_ other: ChangeSet) {
        host += other.host
        objects += other.objects
        deletions += other.deletions
        warnings += other.warnings
    }
}
