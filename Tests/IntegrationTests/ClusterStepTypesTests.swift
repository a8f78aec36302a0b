import Document
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// The cluster step types faf.yaml does not use, kube.node-labels and kube.objects, on the real
/// server: applied, a no-op re-run, and drift after a hand edit.
@Suite struct ClusterStepTypesTests {
    @Test func nodeLabelsAndObjectsApplyRerunAndRepairDrift() async throws {
        try await RealServer.prepared()
        let id = UUID().uuidString.prefix(6).lowercased()
        let node = "it-node-\(id)", ns = "it-objects-\(id)"
        // The kubelet's own label, which bootstrap must leave alone.
        try RealServer.ensureNode(node, labels: ["kubernetes.io/hostname": node])
        let rig = try RealRig()
        let playbook = try rig.playbook(text: """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: it-objects-\(id)}
            steps:
              - id: labels
                type: kube.node-labels
                with: {node: \(node), labels: {storage-id: main-01}}
              - id: namespaces
                type: kube.namespaces
                with: {names: [\(ns)]}
              - id: objects
                type: kube.objects
                needs: [namespaces]
                with:
                  objects:
                    - {apiVersion: v1, kind: ConfigMap, metadata: {name: web-config, namespace: \(ns)}, data: {LOG_LEVEL: info}}
                    - apiVersion: apps/v1
                      kind: Deployment
                      metadata: {name: web, namespace: \(ns)}
                      spec:
                        replicas: 1
                        selector: {matchLabels: {app: web}}
                        template:
                          metadata: {labels: {app: web}}
                          spec: {containers: [{name: web, image: "nginx:1.27", envFrom: [{configMapRef: {name: web-config}}]}]}
                    # protocol: 1.20's server-side apply refuses a port without it (500, "associative
                    # list with keys has an element that omits key field"); newer servers default it.
                    - {apiVersion: v1, kind: Service, metadata: {name: web, namespace: \(ns)}, spec: {selector: {app: web}, ports: [{port: 80, protocol: TCP}]}}
            """)

        let first = try await rig.apply(playbook, gated: false)
        #expect(first.failed.isEmpty, "\(first.summary)")
        let labels = try RealServer.kubectlOK(["get", "node", node, "-o", "jsonpath={.metadata.labels}"])
        #expect(labels.contains("\"storage-id\":\"main-01\""), "\(labels)")
        #expect(labels.contains("\"kubernetes.io/hostname\":\"\(node)\""), "bootstrap removed the kubelet's label: \(labels)")
        // The real Deployment controller took the Deployment bootstrap wrote: its ReplicaSet exists.
        try await eventually("the Deployment controller to create a ReplicaSet", timeout: .seconds(60)) {
            try RealServer.kubectlOK(["-n", ns, "get", "replicasets", "-l", "app=web", "-o", "name"]).contains("replicaset.apps/web-")
        }
        // The real server allocated the Service's cluster IP from the range it was started with.
        let ip = try RealServer.kubectlOK(["-n", ns, "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}"])
        #expect(ip.hasPrefix("10.43."), "\(ip)")

        let noop = try await rig.apply(playbook, gated: false)
        #expect(noop.steps.allSatisfy { $0.outcome == .skipped })
        #expect(noop.requests.total <= 2 && noop.requests.writes == 0, "\(noop.requests)")

        // Someone relabels the node and scales the Deployment by hand.
        try RealServer.kubectlOK(["label", "node", node, "storage-id=other", "--overwrite"])
        try RealServer.kubectlOK(["-n", ns, "scale", "deployment", "web", "--replicas=3"])
        let plan = try await rig.plan(playbook, verify: true, gated: false)
        #expect(Set(plan.steps.filter { $0.action == .run }.map(\.id)) == ["labels", "objects"],
                "\(plan.steps.map { "\($0.id) \($0.action) \($0.reason) \($0.objects.map(\.diff))" })")
        let repaired = try await rig.apply(playbook, verify: true, gated: false)
        #expect(repaired.failed.isEmpty, "\(repaired.summary)")
        #expect(try RealServer.kubectlOK(["get", "node", node, "-o", "jsonpath={.metadata.labels.storage-id}"]) == "main-01")
        #expect(try RealServer.kubectlOK(["-n", ns, "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"]) == "1")
    }
}
