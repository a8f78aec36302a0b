import Document
@testable import Emulator
import Testing

/// The generated table of Kubernetes 1.31 markers covers every built-in kind the emulator serves,
/// and says what the upstream definitions say (scripts/generate-merge-schema keeps its own list of
/// kinds: a kind added to BuiltIn.types without regenerating fails here).
@Suite struct SchemaTableTests {
    @Test func everyServedBuiltInKindHasASchema() {
        for t in BuiltIn.types {
            #expect(BuiltinSchema.shape(apiVersion: t.apiVersion, kind: t.kind) != nil, "\(t.apiVersion) \(t.kind)")
        }
    }

    @Test func markersMatchTheDefinitions() throws {
        let pv = try #require(BuiltinSchema.shape(apiVersion: "v1", kind: "PersistentVolume"))
        // io.k8s.api.core.v1.ObjectReference: x-kubernetes-map-type: atomic.
        let claimRef = try #require(pv.child("spec", value: nil)?.child("claimRef", value: nil))
        #expect(claimRef.isLeaf(for: ["name": "x"]))
        // PersistentVolumeSpec.accessModes: x-kubernetes-list-type: atomic.
        let accessModes = try #require(pv.child("spec", value: nil)?.child("accessModes", value: nil))
        #expect(accessModes.isLeaf(for: ["ReadWriteOnce"]))
        // PodSpec.containers: a map list keyed by name; a container is granular.
        let pod = try #require(BuiltinSchema.shape(apiVersion: "v1", kind: "Pod"))
        let containers = try #require(pod.child("spec", value: nil)?.child("containers", value: nil))
        guard case .list(let container, .map(let keys)) = containers.resolved else {
            Issue.record("containers is not a map list")
            return
        }
        #expect(keys == ["name"])
        #expect(!container.isLeaf(for: ["name": "app"]))
        // ObjectMeta.finalizers is a set; labels a granular map.
        let meta = BuiltinSchema.objectMeta
        guard case .list(_, .set) = try #require(meta.child("finalizers", value: nil)).resolved else {
            Issue.record("finalizers is not a set")
            return
        }
        #expect(try #require(meta.child("labels", value: nil)).isLeaf(for: ["a": "b"]) == false)
        #expect(meta.child("labelz", value: nil) == nil)
    }
}
