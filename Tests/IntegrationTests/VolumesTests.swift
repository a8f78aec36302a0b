import Document
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// storage.local-volumes with the real PersistentVolume controller binding the claims.
///
/// On 1.20, `spec.claimRef` is merged key by key by server-side apply (ObjectReference became an
/// atomic struct in 1.22), so this test cannot show the 1.22+ failure where a re-applied claimRef
/// without uid replaces the live one; it shows that the driver's re-apply leaves the binding the
/// controller made intact, and that the controller accepts the volumes and claims the driver writes.
@Suite struct VolumesTests {
    @Test func claimsBoundByTheControllerStayBoundWhenAVolumeIsAdded() async throws {
        try await RealServer.prepared()
        let id = UUID().uuidString.prefix(6).lowercased()
        let ns = "it-vol-\(id)"
        func playbook(_ volumes: [String]) -> String {
            let list = volumes.map { "        - {name: it-\(id)-\($0), namespace: \(ns), size: 1Gi}" }.joined(separator: "\n")
            return """
                apiVersion: bootstrap.faforever.com/v1
                kind: Playbook
                metadata: {name: it-vol-\(id)}
                steps:
                  - id: namespaces
                    type: kube.namespaces
                    with: {names: [\(ns)]}
                  - id: volumes
                    type: storage.local-volumes
                    needs: [namespaces]
                    with:
                      storageClass: it-local-\(id)
                      dataset: tank/it-\(id)
                      dataRoot: /tank/it-\(id)
                      nodeSelector: {storage-id: it-\(id)}
                      volumes:
                \(list)
                """
        }
        let rig = try RealRig()
        let kube = try RealServer.client()
        func claim(_ name: String) async throws -> Value? {
            try await kube.get(ObjectRef(apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: ns, name: "it-\(id)-\(name)-pvc"))
        }
        func volume(_ name: String) async throws -> Value? {
            try await kube.get(ObjectRef(apiVersion: "v1", kind: "PersistentVolume", name: "it-\(id)-\(name)"))
        }

        let first = try await rig.apply(try rig.playbook(text: playbook(["a", "b"])), gated: false)
        #expect(first.failed.isEmpty, "\(first.summary)")
        var uids: [String: Value] = [:]
        for name in ["a", "b"] {
            let c = try await claim(name), v = try await volume(name)
            #expect(c?[path: ["status", "phase"]]?.stringValue == "Bound")
            #expect(v?[path: ["status", "phase"]]?.stringValue == "Bound")
            // The controller, not the driver, filled in the claim's uid.
            #expect(v?[path: ["spec", "claimRef", "uid"]] == c?[path: ["metadata", "uid"]])
            // The real controller's binding annotations show it did the binding.
            #expect(c?[path: ["metadata", "annotations", "pv.kubernetes.io/bind-completed"]]?.stringValue == "yes")
            uids[name] = c?[path: ["metadata", "uid"]]
        }

        // Adding a volume re-applies every PersistentVolume of the step.
        let second = try await rig.apply(try rig.playbook(text: playbook(["a", "b", "c"])), gated: false)
        #expect(second.outcome("volumes") == "applied", "\(second.summary)")
        for name in ["a", "b", "c"] {
            let c = try await claim(name), v = try await volume(name)
            #expect(c?[path: ["status", "phase"]]?.stringValue == "Bound", "claim \(name) is \(c?[path: ["status", "phase"]] ?? .null)")
            #expect(v?[path: ["spec", "claimRef", "uid"]] == c?[path: ["metadata", "uid"]], "volume \(name) lost its claim's uid")
            if let before = uids[name] { #expect(c?[path: ["metadata", "uid"]] == before, "claim \(name) was recreated") }
        }
        // A claimRef whose uid differs from its claim's is what makes the controller mark a claim
        // Lost; the equality above is that condition, checked directly rather than by waiting out
        // the controller's resync period.
    }

}
