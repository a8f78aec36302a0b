import Document
import Emulator
import Testing
import TestSupport

/// Server-side apply as Kubernetes 1.31 merges it: by the schema's markers, with field managers that
/// conflict, and unknown fields refused or pruned as kube-apiserver does.
@Suite struct ApplySemanticsTests {
    static let pvs = "/api/v1/persistentvolumes"
    static let pvcs = "/api/v1/namespaces/default/persistentvolumeclaims"
    static let cms = "/api/v1/namespaces/default/configmaps"

    static let volume: Value = [
        "apiVersion": "v1", "kind": "PersistentVolume", "metadata": ["name": "data"],
        "spec": [
            "capacity": ["storage": "1Gi"], "accessModes": ["ReadWriteOnce"], "storageClassName": "local",
            "local": ["path": "/tank/data"],
            "claimRef": ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": "default", "name": "data"],
        ],
    ]
    static let claim: Value = [
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "data", "namespace": "default"],
        "spec": ["accessModes": ["ReadWriteOnce"], "storageClassName": "local", "volumeName": "data",
                 "resources": ["requests": ["storage": "1Gi"]]],
    ]

    /// `io.k8s.api.core.v1.ObjectReference` is `x-kubernetes-map-type: atomic` (Kubernetes 1.22+): an
    /// apply replaces claimRef whole, so the uid the binder wrote goes, and the bound claim is Lost.
    @Test func reapplyingAClaimRefWithoutUIDUnbindsTheClaim() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        #expect(try api.apply(Self.pvs + "/data", Self.volume, query: "fieldManager=bootstrap&force=true").status == 201)
        let claim = try api.apply(Self.pvcs + "/data", Self.claim, query: "fieldManager=bootstrap&force=true")
        #expect(claim.status == 201)
        let uid = try #require(claim.json[path: ["metadata", "uid"]])
        let bound = try api.get(Self.pvs + "/data").json
        #expect(bound[path: ["spec", "claimRef", "uid"]] == uid)
        #expect(try api.get(Self.pvcs + "/data").json[path: ["status", "phase"]] == "Bound")

        // The binder owns claimRef now: an unforced apply changing it is a conflict naming it.
        let refused = try api.apply(Self.pvs + "/data", Self.volume, query: "fieldManager=bootstrap")
        #expect(refused.status == 409)
        #expect(refused.json["reason"] == "Conflict")
        let binder = bound[path: ["metadata", "managedFields"]]?.arrayValue?.first { $0["manager"] == "kube-controller-manager" }
        let time = try #require(binder?["time"]?.stringValue)
        let manager = "\"kube-controller-manager\" using v1 at \(time)"
        #expect(refused.json["message"]?.stringValue == "Apply failed with 1 conflict: conflict with \(manager): .spec.claimRef")
        #expect(refused.json[path: ["details", "causes"]] == [["reason": "FieldManagerConflict",
                                                               "message": .string("conflict with \(manager)"), "field": ".spec.claimRef"]])

        // Forced, the whole claimRef is replaced: the uid is gone and the claim is Lost.
        let forced = try api.apply(Self.pvs + "/data", Self.volume, query: "fieldManager=bootstrap&force=true")
        #expect(forced.status == 200)
        #expect(forced.json[path: ["spec", "claimRef", "name"]] == "data")
        #expect(forced.json[path: ["spec", "claimRef", "uid"]] == nil)
        #expect(try api.get(Self.pvcs + "/data").json[path: ["status", "phase"]] == "Lost")
        #expect(try api.get(Self.pvs + "/data").json[path: ["status", "phase"]] == "Available")
    }

    /// Service ports are a map list keyed by port and protocol: two managers each own their item, and
    /// an item its manager stops applying goes while the other stays.
    @Test func mapListsMergeByKeyAndAtomicListsAreReplaced() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        func service(_ ports: [Value], selector: Value? = nil) -> Value {
            var spec: Value = ["ports": .array(ports)]
            if let selector { spec["selector"] = selector }
            return ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "namespace": "default"], "spec": spec]
        }
        let http: Value = ["name": "http", "port": 80, "protocol": "TCP"]
        let https: Value = ["name": "https", "port": 443, "protocol": "TCP"]
        let path = "/api/v1/namespaces/default/services/web"
        #expect(try api.apply(path, service([http], selector: ["app": "web"]), query: "fieldManager=a").status == 201)
        #expect(try api.apply(path, service([https]), query: "fieldManager=b").status == 200)
        var ports = try api.get(path).json[path: ["spec", "ports"]]?.arrayValue ?? []
        #expect(ports.compactMap { $0["port"]?.intValue } == [80, 443])

        let managed = try api.get(path).json[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        let fieldsOfB = managed.first { $0["manager"] == "b" }?["fieldsV1"]
        #expect(fieldsOfB == ["f:spec": ["f:ports": [#"k:{"port":443,"protocol":"TCP"}"#: [".": [:], "f:name": [:], "f:port": [:], "f:protocol": [:]]]]])

        // a drops its port: only a's item goes.
        #expect(try api.apply(path, service([], selector: ["app": "web"]), query: "fieldManager=a").status == 200)
        ports = try api.get(path).json[path: ["spec", "ports"]]?.arrayValue ?? []
        #expect(ports.compactMap { $0["port"]?.intValue } == [443])

        // accessModes is an atomic list: a second apply replaces it, items are not merged.
        let pv: Value = ["apiVersion": "v1", "kind": "PersistentVolume", "metadata": ["name": "v"],
                         "spec": ["capacity": ["storage": "1Gi"], "accessModes": ["ReadWriteOnce", "ReadOnlyMany"], "local": ["path": "/v"]]]
        #expect(try api.apply(Self.pvs + "/v", pv).status == 201)
        var narrower = pv
        narrower["spec"]?["accessModes"] = ["ReadWriteOnce"]
        #expect(try api.apply(Self.pvs + "/v", narrower).json[path: ["spec", "accessModes"]] == ["ReadWriteOnce"])
    }

    @Test func conflictsNameTheManagerAndForceTakesOwnership() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        func cm(_ data: Value) -> Value {
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "default"], "data": data]
        }
        #expect(try api.apply(Self.cms + "/c", cm(["x": "1", "y": "1"]), query: "fieldManager=kubectl").status == 201)
        // The same value is no conflict: both own it.
        #expect(try api.apply(Self.cms + "/c", cm(["y": "1"]), query: "fieldManager=bootstrap").status == 200)

        let refused = try api.apply(Self.cms + "/c", cm(["x": "2", "y": "2"]), query: "fieldManager=bootstrap")
        #expect(refused.status == 409)
        #expect(refused.json["message"] == "Apply failed with 2 conflicts: conflicts with \"kubectl\":\n- .data.x\n- .data.y")
        let causes = refused.json[path: ["details", "causes"]]?.arrayValue ?? []
        #expect(causes.map { $0["field"] } == [".data.x", ".data.y"])
        #expect(causes.allSatisfy { $0["reason"] == "FieldManagerConflict" && $0["message"] == "conflict with \"kubectl\"" })
        #expect(try api.get(Self.cms + "/c").json["data"] == ["x": "1", "y": "1"])

        let forced = try api.apply(Self.cms + "/c", cm(["x": "2", "y": "2"]), query: "fieldManager=bootstrap&force=true")
        #expect(forced.status == 200)
        #expect(forced.json["data"] == ["x": "2", "y": "2"])
        let kubectlFields = forced.json[path: ["metadata", "managedFields"]]?.arrayValue?.first { $0["manager"] == "kubectl" }
        #expect(kubectlFields == nil, "kubectl owned only x and y, both taken")

        // Now kubectl is the one refused, naming bootstrap.
        let back = try api.apply(Self.cms + "/c", cm(["x": "1"]), query: "fieldManager=kubectl")
        #expect(back.status == 409)
        #expect(back.json["message"] == "Apply failed with 1 conflict: conflict with \"bootstrap\": .data.x")

        // An update (a person's edit) takes the field from the applier without a conflict...
        let edited = try api.patch(Self.cms + "/c?fieldManager=kubectl-edit", #"{"data":{"x":"3"}}"#, type: "application/merge-patch+json")
        #expect(edited.status == 200)
        // ...and the applier's next unforced apply of another value names it.
        let afterEdit = try api.apply(Self.cms + "/c", cm(["x": "2", "y": "2"]), query: "fieldManager=bootstrap")
        #expect(afterEdit.status == 409)
        #expect(afterEdit.json["message"]?.stringValue?.hasPrefix("Apply failed with 1 conflict: conflict with \"kubectl-edit\" using v1 at ") == true)
        #expect(afterEdit.json["message"]?.stringValue?.hasSuffix(": .data.x") == true)
    }

    static let routes = "/apis/traefik.io/v1alpha1/namespaces/default/ingressroutes"
    static func route(_ name: String, extra: Value? = nil) -> Value {
        var spec: Value = ["routes": [["match": "Host(`x`)", "kind": "Rule"]]]
        if let extra { spec["foo"] = extra }
        return ["apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": ["name": .string(name)], "spec": spec]
    }

    /// A field the CRD's structural schema lacks: pruned with a warning by default, refused with
    /// fieldValidation=Strict, kept quietly with Ignore; an apply configuration with it is an error.
    @Test func unknownFieldsOfCustomResources() throws {
        let emulator = try EmulatorFixtures.started(crds: true)
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)

        let warned = try api.post(Self.routes, Self.route("warned", extra: "bar"))
        #expect(warned.status == 201)
        #expect(warned.headers["warning"] == #"299 - "unknown field \"spec.foo\"""#)
        #expect(warned.json[path: ["spec", "foo"]] == nil)
        #expect(try api.get(Self.routes + "/warned").json[path: ["spec", "foo"]] == nil)

        let strict = try api.post(Self.routes + "?fieldValidation=Strict", Self.route("strict", extra: "bar"))
        #expect(strict.status == 400)
        #expect(strict.json["reason"] == "BadRequest")
        #expect(strict.json["message"] == #"strict decoding error: unknown field "spec.foo""#)
        #expect(try api.get(Self.routes + "/strict").status == 404)

        let ignored = try api.post(Self.routes + "?fieldValidation=Ignore", Self.route("ignored", extra: "bar"))
        #expect(ignored.status == 201)
        #expect(ignored.headers["warning"] == nil)
        #expect(try api.post(Self.routes + "?fieldValidation=Lax", Self.route("lax")).status == 400)

        let applied = try api.apply(Self.routes + "/applied", Self.route("applied", extra: "bar"))
        #expect(applied.status == 500)
        #expect(applied.json["message"] == "failed to create typed patch object (default/applied; traefik.io/v1alpha1, Kind=IngressRoute): .spec.foo: field not declared in schema")
        #expect(try api.get(Self.routes + "/applied").status == 404)
        // Without the field, the same apply works: the error was the field, nothing else.
        #expect(try api.apply(Self.routes + "/applied", Self.route("applied")).status == 201)
    }

    /// `x-kubernetes-preserve-unknown-fields` keeps what it covers, with no warning.
    @Test func preserveUnknownFieldsKeepsFields() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let crd: Value = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "widgets.example.com"],
            "spec": ["group": "example.com", "scope": "Namespaced", "names": ["plural": "widgets", "singular": "widget", "kind": "Widget"],
                     "versions": [["name": "v1", "served": true, "storage": true, "schema": ["openAPIV3Schema": [
                        "type": "object", "properties": ["spec": ["type": "object", "properties": [
                            "size": ["type": "integer"],
                            "extra": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                        ]]],
                     ]]]]],
        ]
        #expect(try api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status == 201)
        let widget: Value = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"],
                             "spec": ["size": 1, "extra": ["anything": ["goes": true]], "colour": "red"]]
        let r = try api.post("/apis/example.com/v1/namespaces/default/widgets", widget)
        #expect(r.status == 201)
        #expect(r.json[path: ["spec", "extra"]] == ["anything": ["goes": true]])
        #expect(r.json[path: ["spec", "colour"]] == nil)
        #expect(r.headers["warning"] == #"299 - "unknown field \"spec.colour\"""#)
    }

    /// Built-in kinds know their 1.31 fields: strict decoding names the unknown one.
    @Test func unknownFieldsOfBuiltInKinds() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let cm: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "default"], "dataa": ["a": "b"]]
        let strict = try api.post(Self.cms + "?fieldValidation=Strict", cm)
        #expect(strict.status == 400)
        #expect(strict.json["message"] == #"ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dataa""#)
        let deployment: Value = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d", "namespace": "default"],
                                 "spec": ["selector": ["matchLabels": ["app": "d"]], "template": [
                                    "metadata": ["labels": ["app": "d"]],
                                    "spec": ["containers": [["name": "app", "image": "nginx", "imagePullPolice": "Always"]]]]]]
        let applied = try api.apply("/apis/apps/v1/namespaces/default/deployments/d", deployment)
        #expect(applied.status == 500)
        #expect(applied.json["message"] == #"failed to create typed patch object (default/d; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="app"].imagePullPolice: field not declared in schema"#)
        let warned = try api.post("/apis/apps/v1/namespaces/default/deployments", deployment)
        #expect(warned.status == 201)
        #expect(warned.headers["warning"] == #"299 - "unknown field \"spec.template.spec.containers[0].imagePullPolice\"""#)
    }

    /// A custom resource merges by its CRD's own markers: a map list on its keys, a set by value, an
    /// atomic object whole (and another manager's atomic object is a conflict until forced).
    @Test func customResourcesMergeByTheirCRDsMarkers() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let crd: Value = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "gadgets.example.com"],
            "spec": ["group": "example.com", "scope": "Namespaced", "names": ["plural": "gadgets", "singular": "gadget", "kind": "Gadget"],
                     "versions": [["name": "v1", "served": true, "storage": true, "schema": ["openAPIV3Schema": [
                        "type": "object", "properties": ["spec": ["type": "object", "properties": [
                            "items": ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                                      "items": ["type": "object", "properties": ["name": ["type": "string"], "value": ["type": "string"]]]],
                            "tags": ["type": "array", "x-kubernetes-list-type": "set", "items": ["type": "string"]],
                            "selector": ["type": "object", "x-kubernetes-map-type": "atomic",
                                         "properties": ["a": ["type": "string"], "b": ["type": "string"]]],
                            "plain": ["type": "array", "items": ["type": "string"]],
                        ]]],
                     ]]]]],
        ]
        #expect(try api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status == 201)
        let path = "/apis/example.com/v1/namespaces/default/gadgets/g"
        func gadget(_ spec: Value) -> Value {
            ["apiVersion": "example.com/v1", "kind": "Gadget", "metadata": ["name": "g", "namespace": "default"], "spec": spec]
        }
        #expect(try api.apply(path, gadget(["items": [["name": "x", "value": "1"]], "tags": ["t1"], "selector": ["a": "1"], "plain": ["p1"]]),
                              query: "fieldManager=a").status == 201)
        let refused = try api.apply(path, gadget(["items": [["name": "y", "value": "2"]], "tags": ["t2"], "selector": ["b": "2"]]),
                                    query: "fieldManager=b")
        #expect(refused.status == 409)
        #expect(refused.json["message"] == "Apply failed with 1 conflict: conflict with \"a\": .spec.selector")

        let merged = try api.apply(path, gadget(["items": [["name": "y", "value": "2"]], "tags": ["t2"], "selector": ["b": "2"], "plain": ["p2"]]),
                                   query: "fieldManager=b&force=true")
        #expect(merged.status == 200)
        #expect(merged.json[path: ["spec", "items"]] == [["name": "x", "value": "1"], ["name": "y", "value": "2"]])
        #expect(merged.json[path: ["spec", "tags"]] == ["t1", "t2"])
        #expect(merged.json[path: ["spec", "selector"]] == ["b": "2"])
        #expect(merged.json[path: ["spec", "plain"]] == ["p2"])
        let fieldsOfA = merged.json[path: ["metadata", "managedFields"]]?.arrayValue?.first { $0["manager"] == "a" }?["fieldsV1"]
        #expect(fieldsOfA == ["f:spec": ["f:items": [#"k:{"name":"x"}"#: [".": [:], "f:name": [:], "f:value": [:]]],
                                         "f:tags": [#"v:"t1""#: [:]]]])
    }

    @Test func applyConfigurationsNameTheirVersionAndCarryNoManagedFields() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let wrongVersion = try api.apply(Self.cms + "/c", ["apiVersion": "v2", "kind": "ConfigMap", "metadata": ["name": "c"]])
        #expect(wrongVersion.status == 400)
        #expect(wrongVersion.json["message"] == "Incorrect version specified in apply patch. Specified patch version: v2, expected: v1")
        let managed = try api.apply(Self.cms + "/c", ["apiVersion": "v1", "kind": "ConfigMap",
                                                      "metadata": ["name": "c", "managedFields": [["manager": "x"]]]])
        #expect(managed.status == 400)
        #expect(managed.json["message"] == "metadata.managedFields must be nil")
        #expect(try api.get(Self.cms + "/c").status == 404)
    }
}
