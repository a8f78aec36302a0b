import Document
import Emulator
import Foundation
import Kube
import Testing
import TestSupport

/// The same request sequences against the emulator and the real server: status codes, error
/// reasons and the stored objects (without what each server sets on its own) must agree. Where
/// they may not, `knownDifferences` says why; README lists the same.
@Suite struct DifferentialTests {
    struct Outcome: Equatable, CustomStringConvertible {
        var code: Int
        var reason: String
        var causes: [String] = []
        var object: String?
        var description: String { "\(code) \(reason)\(causes.isEmpty ? "" : " \(causes)")\(object.map { " " + $0 } ?? "")" }
    }

    /// Fields each server fills in by itself, with values that cannot agree. `generation` too: the
    /// emulator sets it on every object, Kubernetes only on kinds whose strategy tracks spec changes
    /// (custom resources, workloads; not ConfigMaps). bootstrap reads it only on HelmCharts, where
    /// both set it.
    static func normalized(_ value: Value?) -> String? {
        guard var value, !value.isNull else { return nil }
        for key in ["uid", "resourceVersion", "creationTimestamp", "managedFields", "selfLink", "generation"] { value["metadata"]?[key] = nil }
        return JSON.encode(value, options: .sortedKeys)
    }

    typealias Step = (name: String, run: @Sendable (KubeClient, String) async throws -> Value?)

    static func outcome(_ step: Step, _ kube: KubeClient, namespace: String) async -> Outcome {
        do {
            let value = try await step.run(kube, namespace)
            return Outcome(code: value == nil ? 404 : 200, reason: value == nil ? "NotFound" : "", object: normalized(value))
        } catch let error as KubeError {
            return Outcome(code: error.code ?? -1, reason: error.reason.name, causes: error.causes.compactMap(\.field).sorted())
        } catch {
            return Outcome(code: -1, reason: "\(error)")
        }
    }

    /// Differences known today, by step name, with the reason (README lists the same). A listed
    /// step that starts to agree passes too, so the emulator's fixes need no change here; remove
    /// the entry with the fix.
    static let knownDifferences: [String: String] = [
        // Kubernetes 1.20 prunes fields a structural CRD schema does not declare, silently; the
        // emulator keeps them. Open: the emulator half of issue 11 prunes, and bootstrap refuses such
        // fields itself, so neither behaviour reaches a user.
        "custom resource with an undeclared field": "1.20 prunes undeclared fields; the emulator keeps them",
        // The merge patch set b="2" (an Update manager) and the apply then set b to the same value:
        // in server-side apply, equal values mean shared ownership, so the real server keeps b when
        // the applier stops sending it. The emulator gives the applier sole ownership and drops b.
        // Open: the emulator's SSA merge semantics (issue 11, emulator half).
        "server-side apply drops what it no longer sends": "shared field ownership when values agree",
        // Kubernetes requires spec.resources.requests.storage on a claim; the emulator does not
        // check it. bootstrap's own claims always carry a size (storage.local-volumes), but a
        // claim written by hand in kube.objects would pass a rehearsal and fail on the node. Open.
        "invalid PersistentVolumeClaim": "the emulator does not require spec.resources.requests.storage",
    ]

    static let configMap: @Sendable (String, Value) -> Value = { namespace, data in
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "diff", "namespace": .string(namespace)], "data": data]
    }

    static let steps: [Step] = basics + guardedUpdates + deletes

    static let basics: [Step] = [
        ("create", { kube, ns in try await kube.create(configMap(ns, ["a": "1"])) }),
        ("create again", { kube, ns in try await kube.create(configMap(ns, ["a": "1"])) }),
        ("get", { kube, ns in try await kube.get(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "diff")) }),
        ("merge patch adds and removes keys", { kube, ns in
            try await kube.mergePatch(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "diff"), patch: ["data": ["a": .null, "b": "2"]])
        }),
        ("replace with a stale resourceVersion", { kube, ns in
            var cm = configMap(ns, ["c": "3"])
            cm["metadata"]?["resourceVersion"] = "1"
            return try await kube.replace(cm)
        }),
        ("server-side apply takes over", { kube, ns in try await kube.apply(configMap(ns, ["b": "2", "c": "3"]), dryRun: false) }),
        ("server-side apply drops what it no longer sends", { kube, ns in try await kube.apply(configMap(ns, ["c": "3"]), dryRun: false) }),
        ("dry-run create returns the object", { kube, ns in
            var cm = configMap(ns, ["d": "4"])
            cm["metadata"]?["name"] = "diff-dry"
            return try await kube.create(cm, dryRun: true)
        }),
        ("dry-run create stored nothing", { kube, ns in try await kube.get(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "diff-dry")) }),
        ("invalid name", { kube, ns in
            var cm = configMap(ns, [:])
            cm["metadata"]?["name"] = "Not_A_Name"
            return try await kube.create(cm)
        }),
        ("missing namespace", { kube, ns in try await kube.create(configMap(ns + "-missing", [:])) }),
        ("invalid PersistentVolumeClaim", { kube, ns in
            try await kube.create(["apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "diff", "namespace": .string(ns)],
                                   "spec": ["accessModes": ["ReadWriteOnce"]]])
        }),
        ("custom resource with an undeclared field", { kube, ns in
            try await kube.apply(["apiVersion": "traefik.io/v1alpha1", "kind": "Middleware", "metadata": ["name": "diff", "namespace": .string(ns)],
                                  "spec": ["compress": ["minResponseBodyBytes": 1024], "notAField": "x"]], dryRun: false)
        }),
    ]

    static let deletes: [Step] = [
        ("delete", { kube, ns in
            let gone = try await kube.delete(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "diff"))
            return gone ? ["deleted": true] : nil
        }),
        ("delete again", { kube, ns in
            let gone = try await kube.delete(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "diff"))
            return gone ? ["deleted": true] : nil
        }),
    ]

    static func volume(_ ns: String, path: String) -> Value {
        ["apiVersion": "v1", "kind": "PersistentVolume", "metadata": ["name": .string(ns + "-pv")],
         "spec": ["capacity": ["storage": "1Gi"], "accessModes": ["ReadWriteOnce"], "storageClassName": .string(ns + "-local"),
                  "persistentVolumeReclaimPolicy": "Retain", "local": ["path": .string(path)],
                  "claimRef": ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": .string(ns), "name": "data"],
                  "nodeAffinity": ["required": ["nodeSelectorTerms": [["matchExpressions": [
                      ["key": "kubernetes.io/hostname", "operator": "In", "values": ["node-1"]]]]]]]]]
    }
    static func claim(_ ns: String, size: String) -> Value {
        ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "data", "namespace": .string(ns)],
         "spec": ["accessModes": ["ReadWriteOnce"], "storageClassName": .string(ns + "-local"), "volumeName": .string(ns + "-pv"),
                  "resources": ["requests": ["storage": .string(size)]]]]
    }
    static func job(_ ns: String, image: String) -> Value {
        ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "migrate", "namespace": .string(ns)],
         "spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "m", "image": .string(image)]]]]]]
    }
    static func statefulSet(_ ns: String, size: String) -> Value {
        ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db", "namespace": .string(ns)],
         "spec": ["serviceName": "db", "selector": ["matchLabels": ["app": "db"]],
                  "template": ["metadata": ["labels": ["app": "db"]], "spec": ["containers": [["name": "db", "image": "mariadb:10.6"]]]],
                  "volumeClaimTemplates": [["metadata": ["name": "data"], "spec": ["accessModes": ["ReadWriteOnce"],
                                            "resources": ["requests": ["storage": .string(size)]]]]]]]
    }
    /// What the API server refuses to change in an object that exists (issue 27): a claim grown on a
    /// class without allowVolumeExpansion (the admission plugin PersistentVolumeClaimResize, 403), a
    /// PersistentVolume's source, a Job's template, a StatefulSet's volumeClaimTemplates, a
    /// Service's cluster IP (422). Each step answers only what happened, not the stored object.
    static let guardedUpdates: [Step] = {
        let done: Value = ["ok": true]
        return [
            ("a class without allowVolumeExpansion, a pre-bound volume and its claim", { kube, ns in
                _ = try await kube.apply(["apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": ["name": .string(ns + "-local")],
                                          "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "WaitForFirstConsumer"], dryRun: false)
                _ = try await kube.apply(Self.volume(ns, path: "/tank/data"), dryRun: false)
                _ = try await kube.apply(Self.claim(ns, size: "1Gi"), dryRun: false)
                // The PersistentVolume binder binds a pre-bound pair without a consumer; the real one takes a moment.
                let ref = ObjectRef(apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: ns, name: "data")
                let deadline = ContinuousClock.now + .seconds(60)
                while try await kube.get(ref)?[path: ["status", "phase"]]?.stringValue != "Bound", ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))
                }
                return ["phase": try await kube.get(ref)?[path: ["status", "phase"]] ?? .null]
            }),
            ("a bound claim grown on that class", { kube, ns in _ = try await kube.apply(Self.claim(ns, size: "2Gi"), dryRun: false); return done }),
            ("a volume's source changed", { kube, ns in _ = try await kube.apply(Self.volume(ns, path: "/tank/moved"), dryRun: false); return done }),
            ("a Job", { kube, ns in _ = try await kube.apply(Self.job(ns, image: "flyway/flyway:10.1"), dryRun: false); return done }),
            ("a Job's template changed", { kube, ns in _ = try await kube.apply(Self.job(ns, image: "flyway/flyway:10.2"), dryRun: false); return done }),
            ("a StatefulSet", { kube, ns in _ = try await kube.apply(Self.statefulSet(ns, size: "1Gi"), dryRun: false); return done }),
            ("a StatefulSet's volumeClaimTemplates changed", { kube, ns in _ = try await kube.apply(Self.statefulSet(ns, size: "2Gi"), dryRun: false); return done }),
            ("a Service's cluster IP changed", { kube, ns in
                let service: Value = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "namespace": .string(ns)],
                                      "spec": ["ports": [["port": 80, "protocol": "TCP"]]]]
                let created = try await kube.apply(service, dryRun: false)
                let ip = created[path: ["spec", "clusterIP"]]?.stringValue ?? ""
                let last = Int(ip.split(separator: ".").last ?? "") ?? 0
                var moved = service
                moved["spec"]?["clusterIP"] = .string(ip.split(separator: ".").dropLast().joined(separator: ".") + ".\((last + 1) % 250 + 2)")
                _ = try await kube.apply(moved, dryRun: false)
                return done
            }),
        ]
    }()

    @Test func requestSequencesAgree() async throws {
        try await RealServer.prepared()
        let emulator = try EmulatorFixtures.started(crds: true)
        defer { emulator.stop() }
        let emulated = KubeClient(config: try KubeConfig.parse(emulator.kubeconfigYAML(), path: "emulator.kubeconfig", context: nil))
        let real = try RealServer.client()
        let ns = "it-diff-\(UUID().uuidString.prefix(6).lowercased())"
        for kube in [emulated, real] {
            _ = try await kube.apply(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]], dryRun: false)
        }
        var disagreements: [String] = []
        for step in Self.steps {
            let e = await Self.outcome(step, emulated, namespace: ns)
            let r = await Self.outcome(step, real, namespace: ns)
            if e != r, Self.knownDifferences[step.name] == nil {
                disagreements.append("\(step.name):\n  emulator: \(e)\n  real:     \(r)")
            }
        }
        #expect(disagreements.isEmpty, "\n\(disagreements.joined(separator: "\n"))")
    }
}
