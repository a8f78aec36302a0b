import Document
import Emulator
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// A step's objects applied concurrently where their order does not matter, and the ledger
/// records of steps that finish together written together.
@Suite struct ConcurrentApplyTests {
    /// A step that lists its objects in the worst order: the custom resource before its CRD,
    /// the Deployment and ConfigMap before their Namespace.
    static let backwards = """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: waves}
        steps:
          - id: app
            type: kube.objects
            with:
              objects:
                - apiVersion: example.faforever.com/v1
                  kind: Widget
                  metadata: {name: w1, namespace: shop}
                  spec: {size: 3}
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: web, namespace: shop}
                  spec:
                    selector: {matchLabels: {app: web}}
                    template:
                      metadata: {labels: {app: web}}
                      spec: {containers: [{name: web, image: nginx:1.25}]}
                - apiVersion: v1
                  kind: ConfigMap
                  metadata: {name: web-config, namespace: shop}
                  data: {a: "1"}
                - apiVersion: v1
                  kind: Namespace
                  metadata: {name: shop}
                - apiVersion: apiextensions.k8s.io/v1
                  kind: CustomResourceDefinition
                  metadata: {name: widgets.example.faforever.com}
                  spec:
                    group: example.faforever.com
                    scope: Namespaced
                    names: {plural: widgets, singular: widget, kind: Widget}
                    versions:
                      - name: v1
                        served: true
                        storage: true
                        schema:
                          openAPIV3Schema:
                            type: object
                            x-kubernetes-preserve-unknown-fields: true

        """

    @Test func namespacesAndCRDsGoFirstWorkloadsAndOwnCustomResourcesLast() {
        let objects: [Value] = [
            ["apiVersion": "example.faforever.com/v1", "kind": "Widget", "metadata": ["name": "w1"]],
            ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"]],
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"]],
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]],
            ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "b"]],
            ["apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "widgets.example.faforever.com"],
             "spec": ["group": "example.faforever.com"]],
            ["apiVersion": "helm.cattle.io/v1", "kind": "HelmChart", "metadata": ["name": "c"]],
        ]
        let names = ApplyWaves.split(objects).map { $0.map { $0[path: ["metadata", "name"]]?.stringValue ?? "" } }
        // A custom resource of a CRD the step does not define (k3s serves HelmChart) needs no wait.
        #expect(names == [["shop", "widgets.example.faforever.com"], ["a", "b", "c"], ["w1", "web"]])
    }

    @Test func objectsListedInTheWrongOrderApplyInTheOrderTheServerNeeds() async throws {
        let rig = try EngineRig()
        let report = try await rig.apply(try rig.playbook(Self.backwards))
        #expect(report.steps.map(\.outcome) == [.applied])
        #expect(rig.server.object(apiVersion: "example.faforever.com/v1", kind: "Widget", namespace: "shop", name: "w1") != nil)
        #expect(rig.server.object(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web") != nil)
        // The namespace and the CRD were written before anything that needs them.
        let writes = rig.writesSeen().map(\.path)
        let namespace = try #require(writes.firstIndex { $0.hasSuffix("/namespaces/shop") })
        let crd = try #require(writes.firstIndex { $0.contains("customresourcedefinitions") })
        let firstInNamespace = try #require(writes.firstIndex { $0.contains("/namespaces/shop/") })
        #expect(namespace < firstInNamespace && crd < firstInNamespace)
        // A re-run finds the step recorded and unchanged.
        let again = try await rig.apply(try rig.playbook(Self.backwards))
        #expect(again.steps.map(\.outcome) == [.skipped])
    }

    @Test func recordsWrittenTogetherAreOneWriteAndAllReadBack() async throws {
        let rig = try EngineRig()
        let kube = KubeClient(config: rig.config, clock: rig.time.clock)
        try await Ledger.ensure(kube, playbook: "together")
        rig.server.clearRequestLog()
        let records = (1...3).map { ("s\($0)", Ledger.Record(digest: "sha256:\($0)", completedAt: "2026-01-01T00:00:0\($0)Z", type: "kube.namespaces", version: 1)) }
        try await Ledger.record(kube, playbook: "together", records.map { (step: $0.0, record: $0.1) })
        #expect(rig.writesSeen().count == 1)
        let read = try await Ledger.read(kube, playbook: "together")
        #expect(Set(read.keys) == ["s1", "s2", "s3"])
        #expect(read["s2"]?.digest == "sha256:2")
    }

    @Test func everyStepOfAWideRunIsRecordedWhenRecordsShareWrites() async throws {
        let rig = try EngineRig()
        // Twelve independent steps, four at a time: records of steps finishing together share a write.
        let playbook = try rig.playbook(layeredPlaybook(count: 12, width: 12))
        rig.server.clearRequestLog()
        let report = try await rig.apply(playbook, parallel: 4)
        #expect(report.steps.allSatisfy { $0.outcome == .applied })
        #expect(rig.ledger("test").count == 12)
        let again = try await rig.apply(playbook)
        #expect(again.steps.allSatisfy { $0.outcome == .skipped })
    }
}
