import Document
import Engine
import Foundation
import Kube
import Synchronization
import Testing
import TestSupport

/// What the real API server has no part of: the scheduler and the kubelet. It marks the pods of the
/// given namespaces as a kubelet would report them started (Running and Ready; a Job's pod
/// Succeeded) through the status subresource, so the real kube-controller-manager's Deployment,
/// ReplicaSet, StatefulSet and Job controllers take them from there.
final class KubeletStandIn: Sendable {
    let namespaces: [String]
    private let task = Mutex<Task<Void, Never>?>(nil)
    let errors = Mutex<[String]>([])

    init(namespaces: [String]) { self.namespaces = namespaces }

    func start() throws {
        let kube = try RealServer.client()
        let namespaces = self.namespaces
        task.withLock {
            $0 = Task { [self] in
                while !Task.isCancelled {
                    for ns in namespaces {
                        do { try await self.reconcile(kube, ns) } catch { self.errors.withLock { $0.append("\(error)") } }
                    }
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
        }
    }

    func stop() { task.withLock { $0?.cancel() } }

    private func reconcile(_ kube: KubeClient, _ ns: String) async throws {
        for pod in try await kube.list(apiVersion: "v1", kind: "Pod", namespace: ns, labelSelector: nil) where pod[path: ["status", "containerStatuses"]] == nil {
            let name = pod[path: ["metadata", "name"]]?.stringValue ?? ""
            let job = (pod[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains { $0["kind"] == "Job" }
            let now = Timestamp.now()
            let containers = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).map { c -> Value in
                ["name": c["name"] ?? "", "image": c["image"] ?? "", "imageID": "", "restartCount": 0, "ready": .bool(!job),
                 "state": job ? ["terminated": ["exitCode": 0, "reason": "Completed", "startedAt": .string(now), "finishedAt": .string(now)]]
                              : ["running": ["startedAt": .string(now)]]]
            }
            let ready: Value = job ? "False" : "True"
            let status: Value = [
                "phase": job ? "Succeeded" : "Running", "startTime": .string(now),
                "conditions": [["type": "PodScheduled", "status": "True", "lastTransitionTime": .string(now)],
                               ["type": "Initialized", "status": "True", "lastTransitionTime": .string(now)],
                               ["type": "ContainersReady", "status": ready, "lastTransitionTime": .string(now)],
                               ["type": "Ready", "status": ready, "lastTransitionTime": .string(now)]],
                "containerStatuses": .array(containers),
            ]
            try RealServer.kubectlOK(["-n", ns, "patch", "pod", name, "--subresource=status", "--type=merge", "-p", JSON.encode(["status": status])])
        }
    }
}

/// `app.workload` against the real kube-apiserver 1.20 and its kube-controller-manager: the server
/// validates every object the step writes, and the rollout waits on status fields the real
/// controllers write (observedGeneration, updatedReplicas, availableReplicas; currentRevision and
/// updateRevision; a Job's Complete condition).
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
            with: {names: [\(namespace), workload-it-callers], defaultResources: {limits: {cpu: 500m, memory: 256Mi}}}
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
        let kubelet = KubeletStandIn(namespaces: [Self.namespace])
        try kubelet.start()
        defer { kubelet.stop() }
        let rig = try RealRig()

        let first = try await rig.apply(try rig.playbook(text: Self.playbook(image: "nginx:1.27"), secrets: Self.secrets), gated: false)
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
        let second = try await rig.apply(try rig.playbook(text: Self.playbook(image: "nginx:1.28"), secrets: Self.secrets), gated: false)
        #expect(second.failed.isEmpty, "\(second.summary)")
        let sets = try await kube.list(apiVersion: "apps/v1", kind: "ReplicaSet", namespace: Self.namespace, labelSelector: "app.kubernetes.io/name=web")
        #expect(sets.compactMap { $0[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]]?.stringValue }.sorted() == ["1", "2"])
        let status = try await Walker(host: rig.host, connection: rig.connection(gatedByInstaller: false), options: WalkOptions())
            .status(try rig.playbook(text: Self.playbook(image: "nginx:1.28"), secrets: Self.secrets))
        #expect(status.steps.first { $0.id == "web" }?.state == "Deployment workload-it/web rolled out, 1/1 ready")
        #expect(kubelet.errors.withLock { $0 } == [])
    }

    /// A Deployment the server defaulted to RollingUpdate (with rollingUpdate: maxSurge/maxUnavailable)
    /// moves to Recreate by the step's server-side apply, which the server accepts only without them.
    @Test func aRollingDeploymentMovesToRecreate() async throws {
        try await RealServer.prepared()
        try await RealServer.forget(playbook: "workload-it")
        let kubelet = KubeletStandIn(namespaces: [Self.namespace])
        try kubelet.start()
        defer { kubelet.stop() }
        let rig = try RealRig()
        let first = try await rig.apply(try rig.playbook(text: Self.playbook(image: "nginx:1.27", name: "strategy"), secrets: Self.secrets), gated: false)
        #expect(first.failed.isEmpty, "\(first.summary)")
        let ref = ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: Self.namespace, name: "strategy")
        #expect(try await RealServer.client().get(ref)?[path: ["spec", "strategy", "type"]] == "RollingUpdate")
        let text = Self.playbook(image: "nginx:1.27", name: "strategy", extra: "\n      strategy: Recreate")
        let second = try await rig.apply(try rig.playbook(text: text, secrets: Self.secrets), gated: false)
        #expect(second.failed.isEmpty, "\(second.summary)")
        let live = try await RealServer.client().get(ref)
        #expect(live?[path: ["spec", "strategy"]] == ["type": "Recreate"])
        _ = try await RealServer.client().delete(ref)
    }

    @Test func withoutAKubeletTheStepFailsAtItsTimeoutSayingWhatItWaitsFor() async throws {
        try await RealServer.prepared()
        try await RealServer.forget(playbook: "workload-it")
        let rig = try RealRig()
        let text = Self.playbook(image: "mariadb:10.6", kind: "StatefulSet", name: "db").replacingOccurrences(of: "timeout: 60s", with: "timeout: 2s")
        let report = try await rig.apply(try rig.playbook(text: text, secrets: Self.secrets), gated: false)
        // Normally "1 pods to be ready"; on a loaded machine the controller may not have observed it yet.
        #expect(report.outcome("db").hasPrefix("failed: the rollout of StatefulSet workload-it/db (mariadb:10.6) failed: timed out after 2.0 seconds waiting for "),
                "\(report.summary)")
        let set = try await RealServer.client().get(ObjectRef(apiVersion: "apps/v1", kind: "StatefulSet", namespace: Self.namespace, name: "db"))
        #expect(set?[path: ["status", "updateRevision"]]?.stringValue?.hasPrefix("db-") == true)
        _ = try await RealServer.client().delete(ObjectRef(apiVersion: "apps/v1", kind: "StatefulSet", namespace: Self.namespace, name: "db"))
    }

    @Test func aJobCompletesOnTheRealJobController() async throws {
        try await RealServer.prepared()
        try await RealServer.forget(playbook: "workload-it")
        let kubelet = KubeletStandIn(namespaces: [Self.namespace])
        try kubelet.start()
        defer { kubelet.stop() }
        let rig = try RealRig()
        let text = Self.playbook(image: "flyway:9", kind: "Job", name: "migrate").replacingOccurrences(of: "      probes: {readiness: {http: {path: /health, port: http}}}\n", with: "")
        let report = try await rig.apply(try rig.playbook(text: text, secrets: Self.secrets), gated: false)
        #expect(report.failed.isEmpty, "\(report.summary)")
        let job = try await RealServer.client().get(ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: Self.namespace, name: "migrate"))
        #expect(job?[path: ["status", "conditions"]]?.arrayValue?.contains { $0["type"] == "Complete" && $0["status"] == "True" } == true)
    }
}
