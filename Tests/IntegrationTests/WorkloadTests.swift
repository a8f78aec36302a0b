import Document
import Engine
import Foundation
import Kube
import Synchronization
import Testing
import TestSupport

/// `app.workload` against the real kube-apiserver 1.20, its kube-controller-manager and the real
/// node: the server validates every object the step writes, the kubelet runs the stand-in images
/// (`bootstrap.test/...`, scripts/node-images) and reports them Ready by their probes, and the
/// rollout waits on status fields the real controllers write (observedGeneration, updatedReplicas,
/// availableReplicas; currentRevision and updateRevision; a Job's Complete condition).
@Suite(.serialized) struct WorkloadTests {
    static let namespace = "workload-it"

    static func playbook(image: String, kind: String = "Deployment", name: String = "web", extra: String = "") -> String {
        """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: workload-it}
        steps:
          - id: namespaces
            type: kube.namespaces
            with: {names: [\(namespace), workload-it-callers], defaultResources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 500m, memory: 256Mi}}}
          - id: \(name)
            type: app.workload
            needs: [namespaces]
            with:
              name: \(name)
              namespace: \(namespace)
              kind: \(kind)
              image: \(image)
              env: {MODE: production}
              secretEnv: {TOKEN: "${{ secrets.web.token }}"}
              files: {/etc/web/web.conf: {content: "listen 8080\\n"}}
              ports: [{name: http, port: 80, targetPort: 8080}]
              probes: {readiness: {http: {path: /health, port: http}}}
              user: "1000:1000"
              aliases: [{namespace: workload-it-callers}]
              timeout: 60s
              \(kind == "Job" ? "" : "settle: 2s")\(extra)
        """
    }

    static let secrets = "web:\n  token: integration-token-4d1f\n"

    @Test func aDeploymentRollsOutOnTheRealControllersAndAConfigChangeRollsItAgain() async throws {
        try await RealServer.prepared()
        try await RealServer.forget(playbook: "workload-it")
        let rig = try RealRig()

        let first = try await rig.apply(try rig.playbook(text: Self.playbook(image: "bootstrap.test/http:1"), secrets: Self.secrets), gated: false)
        #expect(first.failed.isEmpty, "\(first.summary)")
        let kube = try RealServer.client()
        let ref = ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: Self.namespace, name: "web")
        let deployment = try #require(try await kube.get(ref))
        #expect(deployment[path: ["status", "observedGeneration"]] == deployment[path: ["metadata", "generation"]])
        #expect(deployment[path: ["status", "updatedReplicas"]] == 1)
        #expect(deployment[path: ["status", "availableReplicas"]] == 1)
        // The alias in the callers' namespace, and the LimitRange the server applied to the pod.
        let alias = try await kube.get(ObjectRef(apiVersion: "v1", kind: "Service", namespace: "workload-it-callers", name: "web"))
        #expect(alias?[path: ["spec", "externalName"]] == "web.workload-it.svc.cluster.local")
        let pods = try await kube.list(apiVersion: "v1", kind: "Pod", namespace: Self.namespace, labelSelector: "app.kubernetes.io/name=web")
        #expect(pods.first?[path: ["spec", "containers"]]?.arrayValue?.first?[path: ["resources", "limits"]] == ["cpu": "500m", "memory": "256Mi"])

        // A new image: the real controller makes a second ReplicaSet, the step waits for it.
        let second = try await rig.apply(try rig.playbook(text: Self.playbook(image: "bootstrap.test/http:2"), secrets: Self.secrets), gated: false)
        #expect(second.failed.isEmpty, "\(second.summary)")
        let sets = try await kube.list(apiVersion: "apps/v1", kind: "ReplicaSet", namespace: Self.namespace, labelSelector: "app.kubernetes.io/name=web")
        #expect(sets.compactMap { $0[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]]?.stringValue }.sorted() == ["1", "2"])
        let status = try await Walker(host: rig.host, connection: rig.connection(gatedByInstaller: false), options: WalkOptions())
            .status(try rig.playbook(text: Self.playbook(image: "bootstrap.test/http:2"), secrets: Self.secrets))
        #expect(status.steps.first { $0.id == "web" }?.state == "Deployment workload-it/web rolled out, 1/1 ready")
    }

    @Test func aPodThatNeverBecomesReadyFailsTheStepAtItsTimeoutSayingWhatItWaitsFor() async throws {
        try await RealServer.prepared()
        try await RealServer.forget(playbook: "workload-it")
        let rig = try RealRig()
        let text = Self.playbook(image: "bootstrap.test/http:1", kind: "StatefulSet", name: "db")
            .replacingOccurrences(of: "timeout: 60s", with: "timeout: 2s").replacingOccurrences(of: "path: /health", with: "path: /not-served")
        let report = try await rig.apply(try rig.playbook(text: text, secrets: Self.secrets), gated: false)
        // Normally "1 pods to be ready"; on a loaded machine the controller may not have observed it yet.
        #expect(report.outcome("db").hasPrefix("failed: the rollout of StatefulSet workload-it/db (bootstrap.test/http:1) failed: timed out after 2.0 seconds waiting for "),
                "\(report.summary)")
        let set = try await RealServer.client().get(ObjectRef(apiVersion: "apps/v1", kind: "StatefulSet", namespace: Self.namespace, name: "db"))
        #expect(set?[path: ["status", "updateRevision"]]?.stringValue?.hasPrefix("db-") == true)
        _ = try await RealServer.client().delete(ObjectRef(apiVersion: "apps/v1", kind: "StatefulSet", namespace: Self.namespace, name: "db"))
    }

    @Test func aJobCompletesOnTheRealJobController() async throws {
        try await RealServer.prepared()
        try await RealServer.forget(playbook: "workload-it")
        let rig = try RealRig()
        let text = Self.playbook(image: "bootstrap.test/run-once:1", kind: "Job", name: "migrate").replacingOccurrences(of: "      probes: {readiness: {http: {path: /health, port: http}}}\n", with: "")
        let report = try await rig.apply(try rig.playbook(text: text, secrets: Self.secrets), gated: false)
        #expect(report.failed.isEmpty, "\(report.summary)")
        let job = try await RealServer.client().get(ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: Self.namespace, name: "migrate"))
        #expect(job?[path: ["status", "conditions"]]?.arrayValue?.contains { $0["type"] == "Complete" && $0["status"] == "True" } == true)
    }

    @Test func aPortGivenAHostPortSwitchesTheLiveDeploymentToRecreate() async throws {
        try await RealServer.prepared()
        try await RealServer.forget(playbook: "workload-it")
        let rig = try RealRig()
        let kube = try RealServer.client()
        let ref = ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: Self.namespace, name: "lobby")
        let plain = Self.playbook(image: "bootstrap.test/http:1", name: "lobby")
        let first = try await rig.apply(try rig.playbook(text: plain, secrets: Self.secrets), gated: false)
        #expect(first.failed.isEmpty, "\(first.summary)")
        // The server's default: RollingUpdate with its defaulted rollingUpdate, owned by bootstrap's apply.
        #expect(try await kube.get(ref)?[path: ["spec", "strategy", "type"]] == "RollingUpdate")
        // The same Deployment with a host port: the server accepts Recreate (it refuses Recreate
        // beside a rollingUpdate), and the pod asks for the node's port.
        let bound = Self.playbook(image: "bootstrap.test/http:1", name: "lobby", extra: "\n      strategy: Recreate")
            .replacingOccurrences(of: "ports: [{name: http, port: 80, targetPort: 8080}]",
                                  with: "ports: [{name: http, port: 80, targetPort: 8080, hostPort: 18080}]")
        #expect(bound.contains("hostPort: 18080"))
        let second = try await rig.apply(try rig.playbook(text: bound, secrets: Self.secrets), gated: false)
        #expect(second.failed.isEmpty, "\(second.summary)")
        let live = try #require(try await kube.get(ref))
        #expect(live[path: ["spec", "strategy"]] == ["type": "Recreate"])
        #expect(live[path: ["spec", "template", "spec", "containers", "0", "ports"]] == nil)
        #expect(live["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["ports"]?.arrayValue?.first?["hostPort"] == 18080)
        _ = try await kube.delete(ref)
    }
}
