import Document
import Emulator
import Synchronization
import Testing
import TestSupport

/// The Deployment, ReplicaSet, StatefulSet and Job controllers: pods from templates, revisions and
/// status fields as kube-controller-manager writes them, and image faults for failure paths.
@Suite struct WorkloadControllerTests {
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"
    static let statefulSets = "/apis/apps/v1/namespaces/default/statefulsets"
    static let replicaSets = "/apis/apps/v1/namespaces/default/replicasets"
    static let jobs = "/apis/batch/v1/namespaces/default/jobs"
    static let pods = "/api/v1/namespaces/default/pods"

    static func template(_ image: String) -> Value {
        ["metadata": ["labels": ["app": "web"]],
         "spec": ["containers": [["name": "web", "image": .string(image)]]]]
    }

    static func workload(_ kind: String, _ image: String, replicas: Int = 2) -> Value {
        var spec: Value = ["template": template(image)]
        if kind != "Job" {
            spec["replicas"] = .int(replicas)
            spec["selector"] = ["matchLabels": ["app": "web"]]
        } else {
            spec["template"]?["spec"]?["restartPolicy"] = "Never"
        }
        if kind == "StatefulSet" { spec["serviceName"] = "web" }
        return ["apiVersion": .string(kind == "Job" ? "batch/v1" : "apps/v1"), "kind": .string(kind),
                "metadata": ["name": "web"], "spec": spec]
    }

    static func items(_ api: EmulatorClient, _ path: String) throws -> [Value] {
        try api.get(path).json["items"]?.arrayValue ?? []
    }

    @Test func deploymentRollsOutThroughReplicaSetsAndPods() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        #expect(try api.apply(Self.deployments + "/web", Self.workload("Deployment", "nginx:1.27")).status == 201)

        let sets = try Self.items(api, Self.replicaSets)
        #expect(sets.count == 1)
        let first = try #require(sets.first)
        let hash = try #require(first[path: ["metadata", "labels", "pod-template-hash"]]?.stringValue)
        #expect(first[path: ["metadata", "name"]]?.stringValue == "web-\(hash)")
        #expect(first[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]] == "1")
        #expect(first[path: ["spec", "selector", "matchLabels"]] == ["app": "web", "pod-template-hash": .string(hash)])
        let pods = try Self.items(api, Self.pods)
        #expect(pods.count == 2)
        #expect(pods.allSatisfy { $0[path: ["metadata", "ownerReferences"]]?.arrayValue?.first?["name"] == first[path: ["metadata", "name"]] })
        #expect(pods.allSatisfy { $0[path: ["status", "phase"]] == "Running" && $0[path: ["metadata", "labels", "app"]] == "web" })

        let deployment = try api.get(Self.deployments + "/web").json
        #expect(deployment[path: ["status", "observedGeneration"]] == 1)
        for field in ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"] { #expect(deployment[path: ["status", field]] == 2) }
        #expect(deployment[path: ["status", "conditions"]]?.arrayValue?.map { $0["reason"] ?? "" } == ["MinimumReplicasAvailable", "NewReplicaSetAvailable"])

        // A new template: a second ReplicaSet at revision 2 takes over, the first is scaled to 0.
        _ = try api.apply(Self.deployments + "/web", Self.workload("Deployment", "nginx:1.28"))
        let after = try Self.items(api, Self.replicaSets)
        #expect(after.count == 2)
        let newest = try #require(after.first { $0[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]] == "2" })
        #expect(newest[path: ["spec", "replicas"]] == 2)
        #expect(after.first { $0[path: ["metadata", "name"]] == first[path: ["metadata", "name"]] }?[path: ["spec", "replicas"]] == 0)
        let images = try Self.items(api, Self.pods).compactMap { $0[path: ["spec", "containers"]]?.arrayValue?.first?["image"]?.stringValue }
        #expect(images == ["nginx:1.28", "nginx:1.28"])
        let rolled = try api.get(Self.deployments + "/web").json
        #expect(rolled[path: ["status", "observedGeneration"]] == 2)
        #expect(rolled[path: ["status", "updatedReplicas"]] == 2)
        #expect(rolled[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]] == "2")
    }

    @Test func aPullFailureKeepsTheOldReplicaSetAndReportsTheReason() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        _ = try api.apply(Self.deployments + "/web", Self.workload("Deployment", "nginx:1.27", replicas: 1))
        emulator.failImage("nginx:9.99", .pull)
        _ = try api.apply(Self.deployments + "/web", Self.workload("Deployment", "nginx:9.99", replicas: 1))
        let deployment = try api.get(Self.deployments + "/web").json
        #expect(deployment[path: ["status", "updatedReplicas"]] == 1)
        #expect(deployment[path: ["status", "availableReplicas"]] == 1, "the old pod still serves")
        #expect(deployment[path: ["status", "replicas"]] == 2)
        let stuck = try #require(try Self.items(api, Self.pods).first { $0[path: ["spec", "containers"]]?.arrayValue?.first?["image"] == "nginx:9.99" })
        #expect(stuck[path: ["status", "phase"]] == "Pending")
        let waiting = stuck[path: ["status", "containerStatuses"]]?.arrayValue?.first?[path: ["state", "waiting"]]
        #expect(waiting == ["reason": "ImagePullBackOff", "message": "Back-off pulling image \"nginx:9.99\""])

        // The image becomes pullable: the kubelet's retry starts the pod and the rollout completes.
        emulator.failImage("nginx:9.99", nil)
        let done = try api.get(Self.deployments + "/web").json
        #expect(done[path: ["status", "replicas"]] == 1)
        #expect(done[path: ["status", "availableReplicas"]] == 1)
        #expect(try Self.items(api, Self.pods).compactMap { $0[path: ["spec", "containers"]]?.arrayValue?.first?["image"]?.stringValue } == ["nginx:9.99"])
    }

    /// A crashing container, as a real kubelet shows it over time: Running (Ready: no readiness
    /// probe), then Error, an immediate first restart, Error again, CrashLoopBackOff for 10s, 20s, …
    /// up to 5m; the Deployment counts it available only while it runs.
    @Test func aCrashingContainerRunsExitsRestartsAndBacksOffAsTheKubeletDoes() throws {
        let time = Mutex(Duration.zero)
        let emulator = try EmulatorFixtures.started(clock: { time.withLock { $0 } })
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        emulator.failImage("app:1.0", .crash)
        _ = try api.apply(Self.deployments + "/web", Self.workload("Deployment", "app:1.0", replicas: 1))
        func at(_ seconds: Double) throws -> (container: Value, available: Int?) {
            time.withLock { $0 = .milliseconds(Int(seconds * 1000)) }
            let container = try #require(try Self.items(api, Self.pods).first?[path: ["status", "containerStatuses"]]?.arrayValue?.first)
            return (container, try api.get(Self.deployments + "/web").json[path: ["status", "availableReplicas"]]?.intValue)
        }
        var (c, available) = try at(0.5)
        #expect(c[path: ["state", "running"]] != nil && c["ready"] == true && c["restartCount"] == 0 && available == 1)
        (c, available) = try at(1.5)
        #expect(c[path: ["state", "terminated", "reason"]] == "Error" && c[path: ["state", "terminated", "exitCode"]] == 1 && available == 0)
        #expect(c[path: ["state", "terminated", "message"]]?.stringValue?.hasSuffix("exiting with status 1") == true)
        (c, available) = try at(2.5)
        #expect(c[path: ["state", "running"]] != nil && c["restartCount"] == 1 && available == 1)
        #expect(c[path: ["lastState", "terminated", "reason"]] == "Error")
        (c, available) = try at(4.5)
        #expect(c[path: ["state", "waiting", "reason"]] == "CrashLoopBackOff" && c["restartCount"] == 1 && available == 0)
        #expect(c[path: ["state", "waiting", "message"]]?.stringValue?.hasPrefix("back-off 10s restarting failed container=web pod=web-") == true)
        (c, _) = try at(13.5)
        #expect(c[path: ["state", "running"]] != nil && c["restartCount"] == 2)
        (c, _) = try at(20)
        #expect(c[path: ["state", "waiting", "message"]]?.stringValue?.hasPrefix("back-off 20s ") == true)
        (c, _) = try at(3600)
        #expect(c[path: ["state", "waiting", "message"]]?.stringValue?.hasPrefix("back-off 5m0s ") == true || c[path: ["state", "waiting"]] == nil)
        #expect((c["restartCount"]?.intValue ?? 0) > 10)
    }

    @Test func unreadyFaultsLookAsTheKubeletReportsThem() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        emulator.failImage("app:1.0", .unready)
        _ = try api.apply(Self.deployments + "/web", Self.workload("Deployment", "app:1.0", replicas: 1))
        let pod = try #require(try Self.items(api, Self.pods).first { $0[path: ["status", "phase"]] == "Running" })
        #expect(pod[path: ["status", "conditions"]]?.arrayValue?.first { $0["type"] == "Ready" }?["status"] == "False")
        let events = try Self.items(api, "/api/v1/namespaces/default/events")
        #expect(events.contains { $0["reason"] == "Unhealthy" && $0[path: ["involvedObject", "name"]] == pod[path: ["metadata", "name"]] })
        #expect(try api.get(Self.deployments + "/web").json[path: ["status", "availableReplicas"]] == 0)
    }

    @Test func statefulSetPodsAreOrderedAndCarryTheirRevision() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        _ = try api.apply(Self.statefulSets + "/web", Self.workload("StatefulSet", "mariadb:10.6"))
        let pods = try Self.items(api, Self.pods)
        #expect(pods.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["web-0", "web-1"])
        let set = try api.get(Self.statefulSets + "/web").json
        let revision = try #require(set[path: ["status", "updateRevision"]]?.stringValue)
        #expect(revision.hasPrefix("web-"))
        #expect(set[path: ["status", "currentRevision"]]?.stringValue == revision)
        #expect(pods.allSatisfy { $0[path: ["metadata", "labels", "controller-revision-hash"]]?.stringValue == revision })
        for field in ["replicas", "readyReplicas", "currentReplicas", "updatedReplicas"] { #expect(set[path: ["status", field]] == 2) }

        // A new image that is never Ready: the highest ordinal is replaced first, so the update
        // stops there and never completes.
        emulator.failImage("mariadb:11.4", .unready)
        _ = try api.apply(Self.statefulSets + "/web", Self.workload("StatefulSet", "mariadb:11.4"))
        let updating = try api.get(Self.statefulSets + "/web").json
        #expect(updating[path: ["status", "updateRevision"]]?.stringValue != revision)
        #expect(updating[path: ["status", "currentRevision"]]?.stringValue == revision)
        #expect(updating[path: ["status", "readyReplicas"]] == 1)
        #expect(updating[path: ["status", "updatedReplicas"]] == 1)
        let revisions = try Self.items(api, Self.pods).map { $0[path: ["metadata", "labels", "controller-revision-hash"]]?.stringValue }
        #expect(revisions == [revision, updating[path: ["status", "updateRevision"]]?.stringValue])
    }

    @Test func jobRunsAPodToCompletionOrFailsIt() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        _ = try api.apply(Self.jobs + "/web", Self.workload("Job", "migrate:1"))
        let job = try api.get(Self.jobs + "/web").json
        #expect(job[path: ["status", "succeeded"]] == 1)
        #expect(job[path: ["status", "conditions"]]?.arrayValue?.map { $0["type"] ?? "" } == ["SuccessCriteriaMet", "Complete"])
        let pod = try #require(try Self.items(api, Self.pods).first)
        #expect(pod[path: ["metadata", "labels", "batch.kubernetes.io/job-name"]] == "web")
        #expect(pod[path: ["status", "phase"]] == "Succeeded")

        emulator.failImage("migrate:2", .crash)
        _ = try api.delete(Self.jobs + "/web")
        #expect(try Self.items(api, Self.pods).isEmpty, "the Job's pod goes with it")
        _ = try api.apply(Self.jobs + "/web", Self.workload("Job", "migrate:2"))
        let failed = try api.get(Self.jobs + "/web").json
        #expect(failed[path: ["status", "failed"]] == 1)
        #expect(failed[path: ["status", "conditions"]]?.arrayValue?.map { $0["type"] ?? "" } == ["FailureTarget", "Failed"])
        #expect(failed[path: ["status", "conditions"]]?.arrayValue?.last?["reason"] == "BackoffLimitExceeded")
    }

    @Test func theServiceProxyAnswersOnlyWithAReadyPod() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        _ = try api.apply("/api/v1/namespaces/default/services/web", [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
            "spec": ["selector": ["app": "web"], "ports": [["name": "http", "port": 80, "protocol": "TCP"]]],
        ])
        #expect(try api.get("/api/v1/namespaces/default/services/web:http/proxy/health").status == 503)
        _ = try api.apply(Self.deployments + "/web", Self.workload("Deployment", "nginx:1.27", replicas: 1))
        #expect(try api.get("/api/v1/namespaces/default/services/web:http/proxy/health").status == 200)
    }
}
