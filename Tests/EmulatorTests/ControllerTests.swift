import Document
import Emulator
import Testing
import TestSupport

@Suite struct ControllerTests {
    static let charts = "/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts"
    static let jobs = "/apis/batch/v1/namespaces/kube-system/jobs"

    static func chart(_ name: String, version: String = "1.0.0") -> Value {
        ["apiVersion": "helm.cattle.io/v1", "kind": "HelmChart", "metadata": ["name": .string(name)],
         "spec": ["chart": "traefik", "repo": "https://traefik.github.io/charts", "version": .string(version)]]
    }

    @Test func helmChartInstallJobCompletesAndIsRecreatedOnChange() throws {
        let emulator = try EmulatorFixtures.started(crds: true)
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        #expect(try api.apply(Self.charts + "/traefik", Self.chart("traefik")).status == 201)
        let job = try api.get(Self.jobs + "/helm-install-traefik").json
        #expect(job[path: ["status", "succeeded"]] == 1)
        #expect(job[path: ["status", "conditions"]]?.arrayValue?.first?["type"] == "Complete")

        // Same spec: the Job stays; a new spec: a new Job.
        _ = try api.apply(Self.charts + "/traefik", Self.chart("traefik"))
        #expect(try api.get(Self.jobs + "/helm-install-traefik").json[path: ["metadata", "uid"]] == job[path: ["metadata", "uid"]])
        _ = try api.apply(Self.charts + "/traefik", Self.chart("traefik", version: "2.0.0"))
        let rerun = try api.get(Self.jobs + "/helm-install-traefik").json
        #expect(rerun[path: ["metadata", "uid"]] != job[path: ["metadata", "uid"]])
        #expect(rerun[path: ["status", "succeeded"]] == 1)
    }

    @Test func forcedHelmFailureFailsTheJob() throws {
        let emulator = try EmulatorFixtures.started(crds: true)
        defer { emulator.stop() }
        emulator.failHelmChart(named: "broken")
        let api = EmulatorClient(emulator)
        _ = try api.apply(Self.charts + "/broken", Self.chart("broken"))
        let job = try api.get(Self.jobs + "/helm-install-broken").json
        #expect(job[path: ["status", "failed"]] == 1)
        #expect(job[path: ["status", "succeeded"]] == nil)
        let condition = job[path: ["status", "conditions"]]?.arrayValue?.first
        #expect(condition?["type"] == "Failed")
        #expect(condition?["message"]?.stringValue?.isEmpty == false)
    }

    @Test func claimNamingAVolumeBinds() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        _ = try api.post("/api/v1/persistentvolumes", [
            "apiVersion": "v1", "kind": "PersistentVolume", "metadata": ["name": "mariadb"],
            "spec": ["capacity": ["storage": "10Gi"], "accessModes": ["ReadWriteOnce"], "local": ["path": "/opt/faf/data/mariadb"],
                     "storageClassName": "local-path"],
        ])
        let claim = try api.post("/api/v1/namespaces/default/persistentvolumeclaims", [
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "data"],
            "spec": ["volumeName": "mariadb", "accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "10Gi"]],
                     "storageClassName": "local-path"],
        ])
        #expect(claim.json[path: ["status", "phase"]] == "Bound")
        let pv = try api.get("/api/v1/persistentvolumes/mariadb").json
        #expect(pv[path: ["status", "phase"]] == "Bound")
        #expect(pv[path: ["spec", "claimRef", "name"]] == "data")
        #expect(pv[path: ["spec", "claimRef", "namespace"]] == "default")
    }

    @Test func theNodeIsReadyAndLabelled() throws {
        let emulator = try EmulatorServer(options: EmulatorOptions(nodeName: "faf-01"))
        try emulator.start()
        defer { emulator.stop() }
        let node = try EmulatorClient(emulator).get("/api/v1/nodes/faf-01").json
        #expect(node[path: ["metadata", "labels", "kubernetes.io/hostname"]] == "faf-01")
        #expect(node[path: ["status", "conditions"]]?.arrayValue?.contains { $0["type"] == "Ready" && $0["status"] == "True" } == true)
    }
}
