import Document
import Host
import Kube

/// What a step would do, as values: host changes in the order they run, changes to live objects
/// that must come before the apply, Kubernetes objects to apply, objects to delete, and warnings
/// for the reviewer.
///
/// `check` computes it from live state without changing anything; plan renders it; `apply`
/// performs exactly it.
public struct ChangeSet: Sendable {
    /// Host changes in order; empty when the host is as wanted.
    public var host: [HostChange]
    /// Live objects replaced or patched before ``objects`` are applied: what server-side apply
    /// cannot change on its own.
    public var preparations: [ObjectPreparation]
    /// Desired Kubernetes objects, complete; the engine adds the managed-by label and step annotation.
    public var objects: [Value]
    /// Objects this step wrote before and no longer wants, deleted after the objects are applied.
    public var deletions: [ObjectRef]
    /// Things the reviewer must know (a permission that cannot be narrowed, say).
    public var warnings: [String]

    public init(host: [HostChange] = [], preparations: [ObjectPreparation] = [], objects: [Value] = [], deletions: [ObjectRef] = [],
                warnings: [String] = []) {
        self.host = host
        self.preparations = preparations
        self.objects = objects
        self.deletions = deletions
        self.warnings = warnings
    }

    /// The host changes as shell lines, as plans show them.
    public var hostLines: [String] { host.flatMap(\.lines) }

    /// Adds another change set's work after this one's (a step built from smaller ones).
    public mutating func append(_ other: ChangeSet) {
        host += other.host
        preparations += other.preparations
        objects += other.objects
        deletions += other.deletions
        warnings += other.warnings
    }
}

/// A change to a live object made before the step's objects are applied, because applying cannot
/// make it: plans show it, apply performs it first.
public enum ObjectPreparation: Sendable, Equatable {
    /// Deleted, and awaited gone, so that the apply creates it again (a Job's pod template cannot
    /// change), like Terraform's replace.
    case replace(ObjectRef, reason: String)
    /// A JSON merge patch (RFC 7386, null deletes) of the live object.
    case mergePatch(ObjectRef, patch: Value, reason: String)

    public var ref: ObjectRef {
        switch self {
        case .replace(let ref, _), .mergePatch(let ref, _, _): return ref
        }
    }

    public var reason: String {
        switch self {
        case .replace(_, let reason), .mergePatch(_, _, let reason): return reason
        }
    }

    /// One line for plans and progress: `replace Job ns/x: why`.
    public var line: String {
        switch self {
        case .replace(let ref, let reason): return "replace \(ref): \(reason)"
        case .mergePatch(let ref, let patch, let reason): return "patch \(ref) with \(JSON.encode(patch)): \(reason)"
        }
    }
}
