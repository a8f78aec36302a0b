import Document
import Emulator
import Testing
import TestSupport

/// The rehearsal refuses what k3s refuses (issue 27): a claim grown on a StorageClass without
/// allowVolumeExpansion, and immutable fields of PersistentVolumes, Jobs, StatefulSets and Services.
@Suite struct UpdateRulesTests {
    static let pvs = ApplySemanticsTests.pvs, pvcs = ApplySemanticsTests.pvcs
    static let classes = "/apis/storage.k8s.io/v1/storageclasses"

    static func storageClass(expansion: Bool?) -> Value {
        var sc: Value = ["apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": ["name": "local"],
                         "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "WaitForFirstConsumer"]
        if let expansion { sc["allowVolumeExpansion"] = .bool(expansion) }
        return sc
    }

    static func grown(_ size: String) -> Value {
        var claim = ApplySemanticsTests.claim
        claim["spec"]?["resources"] = ["requests": ["storage": .string(size)]]
        return claim
    }

    @Test func aBoundClaimGrowsOnlyWhenItsClassAllowsExpansion() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        #expect(try api.apply(Self.classes + "/local", Self.storageClass(expansion: nil)).status == 201)
        #expect(try api.apply(Self.pvs + "/data", ApplySemanticsTests.volume).status == 201)
        #expect(try api.apply(Self.pvcs + "/data", ApplySemanticsTests.claim).status == 201)
        #expect(try api.get(Self.pvcs + "/data").json[path: ["status", "phase"]] == "Bound")

        let refused = try api.apply(Self.pvcs + "/data", Self.grown("2Gi"))
        #expect(refused.status == 403)
        #expect(refused.json["message"]?.stringValue == "persistentvolumeclaims \"data\" is forbidden: only dynamically provisioned pvc "
            + "can be resized and the storageclass that provisions the pvc must support resize")
        let shrunk = try api.apply(Self.pvcs + "/data", Self.grown("512Mi"))
        #expect(shrunk.status == 422)
        #expect(try api.get(Self.pvcs + "/data").json[path: ["spec", "resources", "requests", "storage"]] == "1Gi")

        #expect(try api.apply(Self.classes + "/local", Self.storageClass(expansion: true)).status == 200)
        #expect(try api.apply(Self.pvcs + "/data", Self.grown("2Gi")).status == 200)
    }

    @Test func immutableFieldsAreRefused() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        #expect(try api.apply(Self.pvs + "/data", ApplySemanticsTests.volume).status == 201)
        var moved = ApplySemanticsTests.volume
        moved["spec"]?["local"] = ["path": "/tank/elsewhere"]
        let pv = try api.apply(Self.pvs + "/data", moved)
        #expect(pv.status == 422)
        #expect(pv.json["message"]?.stringValue?.contains("spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation") == true)

        let jobs = "/apis/batch/v1/namespaces/default/jobs"
        func job(_ image: String) -> Value {
            ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "migrate", "namespace": "default"],
             "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "m", "image": .string(image)]]]]]]
        }
        #expect(try api.apply(jobs + "/migrate", job("flyway:10.1")).status == 201)
        let changedJob = try api.apply(jobs + "/migrate", job("flyway:10.2"))
        #expect(changedJob.status == 422)
        #expect(changedJob.json["message"]?.stringValue?.contains("spec.template: Invalid value") == true)

        let sets = "/apis/apps/v1/namespaces/default/statefulsets"
        func statefulSet(_ size: String) -> Value {
            ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db", "namespace": "default"],
             "spec": ["serviceName": "db", "selector": ["matchLabels": ["app": "db"]],
                      "template": ["metadata": ["labels": ["app": "db"]], "spec": ["containers": [["name": "db", "image": "mariadb:10.6"]]]],
                      "volumeClaimTemplates": [["metadata": ["name": "data"], "spec": ["accessModes": ["ReadWriteOnce"],
                                                "resources": ["requests": ["storage": .string(size)]]]]]]]
        }
        #expect(try api.apply(sets + "/db", statefulSet("1Gi")).status == 201)
        let changedSet = try api.apply(sets + "/db", statefulSet("2Gi"))
        #expect(changedSet.status == 422)
        #expect(changedSet.json["message"]?.stringValue?.contains("updates to statefulset spec for fields other than") == true)

        let services = "/api/v1/namespaces/default/services"
        func service(_ ip: String) -> Value {
            ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "namespace": "default"],
             "spec": ["clusterIP": .string(ip), "ports": [["port": 80, "protocol": "TCP"]]]]
        }
        #expect(try api.apply(services + "/web", service("10.43.0.10")).status == 201)
        let changedService = try api.apply(services + "/web", service("10.43.0.11"))
        #expect(changedService.status == 422)
        #expect(changedService.json["message"]?.stringValue?.contains("spec.clusterIPs[0]: Invalid value: []string{\"10.43.0.11\"}: may not change once set") == true)
    }
}
