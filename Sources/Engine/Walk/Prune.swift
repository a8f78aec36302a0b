import Document
import Kube

/// What a step wrote before and no longer wants: deleted, or kept because it holds data.
///
/// Kept kinds are never deleted automatically, whatever the playbook says: a PersistentVolume or
/// its claim holds data, deleting a Namespace deletes everything in it, deleting a
/// CustomResourceDefinition deletes every object of its kind, and a Node is the machine itself
/// (kube.node-labels only labels it). Plans show them with the command that would delete them by hand.
public struct Prune: Sendable, Equatable {
    /// Objects to delete, in the order they were recorded.
    public var delete: [ObjectRef]
    /// Objects left in place because they hold data.
    public var keep: [ObjectRef]

    public init(delete: [ObjectRef] = [], keep: [ObjectRef] = []) {
        self.delete = delete
        self.keep = keep
    }

    static let keptKinds: Set<ObjectKind> = [
        ObjectKind("v1", "PersistentVolume"), ObjectKind("v1", "PersistentVolumeClaim"), ObjectKind("v1", "Namespace"),
        ObjectKind("v1", "Node"), ObjectKind("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ]

    /// An apiVersion and kind.
    struct ObjectKind: Hashable, Sendable {
        var apiVersion: String
        var kind: String
        init(_ apiVersion: String, _ kind: String) {
            self.apiVersion = apiVersion
            self.kind = kind
        }
    }

    /// Recorded objects that are neither wanted nor already deleted by the step itself.
    init(recorded: [ObjectRef]?, wanted: Set<ObjectRef>, deletedByStep: [ObjectRef]) {
        let unwanted = (recorded ?? []).filter { !wanted.contains($0) && !deletedByStep.contains($0) }
        delete = unwanted.filter { !Self.holdsData($0) }
        keep = unwanted.filter(Self.holdsData)
    }

    static func holdsData(_ ref: ObjectRef) -> Bool { keptKinds.contains(ObjectKind(ref.apiVersion, ref.kind)) }

    public var isEmpty: Bool { delete.isEmpty && keep.isEmpty }

    /// The command an operator would run to delete a kept object by hand.
    public static func manualCommand(_ ref: ObjectRef) -> String {
        "kubectl delete \(ref.kind.lowercased()) \(ref.name)" + (ref.namespace.map { " -n \($0)" } ?? "")
    }
}

extension KubeClient {
    /// The references of desired objects, as the server stores them.
    func normalizedRefs(_ objects: [Value]) async throws -> [ObjectRef] {
        var refs: [ObjectRef] = []
        for object in objects {
            guard let ref = ObjectRef(object) else { continue }
            refs.append(try await normalized(ref))
        }
        return refs
    }
}
