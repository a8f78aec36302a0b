import Document
import Emulator
import Testing
import TestSupport

@Suite struct APITests {
    static let cm = "/api/v1/namespaces/default/configmaps"
    static func configMap(_ name: String, _ data: Value = ["a": "1"], labels: Value? = nil) -> Value {
        var meta: Value = ["name": .string(name)]
        if let labels { meta["labels"] = labels }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data]
    }

    @Test func discoveryListsBuiltInsAndVersion() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let names = try api.get("/api/v1").json["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.contains("configmaps") && names.contains("persistentvolumeclaims"))
        let groups = try api.get("/apis").json["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(groups.contains("apps") && groups.contains("batch") && groups.contains("apiextensions.k8s.io"))
        #expect(try api.get("/version").json["gitVersion"] == "v1.31.0+k3s1")
        #expect(try api.get("/readyz").body == "ok")
        #expect(try api.get("/apis/traefik.io/v1alpha1").status == 404)
    }

    @Test func objectsGetSystemMetadataAndListsFilterByLabel() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let created = try api.post(Self.cm, Self.configMap("one", labels: ["app": "web"]))
        #expect(created.status == 201)
        #expect(created.json[path: ["metadata", "uid"]]?.stringValue?.count == 36)
        #expect(created.json[path: ["metadata", "generation"]] == 1)
        #expect(created.json[path: ["metadata", "creationTimestamp"]]?.stringValue?.hasSuffix("Z") == true)
        _ = try api.post(Self.cm, Self.configMap("two", labels: ["app": "db"]))
        let web = try api.get(Self.cm + "?labelSelector=app%3Dweb").json
        #expect(web["kind"] == "ConfigMapList")
        #expect(web["items"]?.arrayValue?.map { $0[path: ["metadata", "name"]] } == ["one"])
        let all = try api.get("/api/v1/configmaps?labelSelector=app").json
        #expect(all["items"]?.arrayValue?.count == 2)
        #expect(all[path: ["metadata", "resourceVersion"]]?.stringValue != nil)
    }

    @Test func errorsAreStatusObjectsWorded() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)

        let missing = try api.get(Self.cm + "/nope")
        #expect(missing.status == 404)
        #expect(missing.json["kind"] == "Status")
        #expect(missing.json["reason"] == "NotFound")
        #expect(missing.json["message"] == "configmaps \"nope\" not found")
        #expect(missing.json[path: ["details", "name"]] == "nope")

        _ = try api.post(Self.cm, Self.configMap("x"))
        let again = try api.post(Self.cm, Self.configMap("x"))
        #expect(again.status == 409)
        #expect(again.json["reason"] == "AlreadyExists")
        #expect(again.json["message"] == "configmaps \"x\" already exists")

        var stale = Self.configMap("x", ["a": "2"])
        stale["metadata"]?["resourceVersion"] = "1"
        let conflict = try api.put(Self.cm + "/x", stale)
        #expect(conflict.status == 409)
        #expect(conflict.json["reason"] == "Conflict")
        #expect(conflict.json["message"] == "Operation cannot be fulfilled on configmaps \"x\": the object has been modified; please apply your changes to the latest version and try again")

        let noNamespace = try api.post("/api/v1/namespaces/ghost/configmaps", Self.configMap("y"))
        #expect(noNamespace.status == 404)
        #expect(noNamespace.json["message"] == "namespaces \"ghost\" not found")

        let putMissing = try api.put(Self.cm + "/absent", Self.configMap("absent"))
        #expect(putMissing.status == 404)
        #expect(try api.delete(Self.cm + "/absent").status == 404)
    }

    @Test func updatesBumpResourceVersionOnlyWhenSomethingChanged() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let first = try api.apply(Self.cm + "/cfg", Self.configMap("cfg"))
        #expect(first.status == 201)
        let rv = first.json[path: ["metadata", "resourceVersion"]]
        let same = try api.apply(Self.cm + "/cfg", Self.configMap("cfg"))
        #expect(same.status == 200)
        #expect(same.json[path: ["metadata", "resourceVersion"]] == rv)
        let changed = try api.apply(Self.cm + "/cfg", Self.configMap("cfg", ["a": "2"]))
        #expect(changed.json[path: ["metadata", "resourceVersion"]] != rv)
        #expect(changed.json[path: ["data", "a"]] == "2")

        var current = changed.json
        current["data"] = ["a": "3"]
        let replaced = try api.put(Self.cm + "/cfg", current)
        #expect(replaced.status == 200)
        #expect(replaced.json[path: ["data", "a"]] == "3")
    }

    @Test func applyRequiresFieldManagerAndDropsFieldsTheManagerNoLongerSets() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let missing = try api.apply(Self.cm + "/m", Self.configMap("m"), query: "force=true")
        #expect(missing.status == 400)
        #expect(missing.json["reason"] == "BadRequest")

        _ = try api.apply(Self.cm + "/m", Self.configMap("m", ["a": "1", "b": "2"]))
        _ = try api.patch(Self.cm + "/m", #"{"data":{"c":"3"}}"#, type: "application/merge-patch+json")
        let reapplied = try api.apply(Self.cm + "/m", Self.configMap("m", ["a": "1"])).json
        // b was the manager's and is gone; c came from another writer and stays.
        #expect(reapplied["data"] == ["a": "1", "c": "3"])
    }

    @Test func patchTypes() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        _ = try api.post(Self.cm, Self.configMap("p", ["a": "1", "b": "2"]))
        let merged = try api.patch(Self.cm + "/p", #"{"data":{"a":null,"c":"3"}}"#, type: "application/merge-patch+json")
        #expect(merged.json["data"] == ["b": "2", "c": "3"])
        let strategic = try api.patch(Self.cm + "/p", #"{"data":{"d":"4"},"$setElementOrder/x":[]}"#, type: "application/strategic-merge-patch+json")
        #expect(strategic.json["data"] == ["b": "2", "c": "3", "d": "4"])
        let json = try api.patch(Self.cm + "/p", #"[{"op":"add","path":"/data/e","value":"5"},{"op":"replace","path":"/data/b","value":"two"},{"op":"remove","path":"/data/c"}]"#,
                                 type: "application/json-patch+json")
        #expect(json.status == 200, "\(json.body)")
        #expect(json.json["data"] == ["b": "two", "d": "4", "e": "5"])
        let bad = try api.patch(Self.cm + "/p", #"[{"op":"remove","path":"/data/zzz"}]"#, type: "application/json-patch+json")
        #expect(bad.status == 400)
    }

    @Test func dryRunPersistsNothing() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let created = try api.post(Self.cm + "?dryRun=All", Self.configMap("dry"))
        #expect(created.status == 201)
        #expect(created.json[path: ["metadata", "name"]] == "dry")
        #expect(created.json[path: ["metadata", "resourceVersion"]] == nil)
        #expect(try api.get(Self.cm + "/dry").status == 404)

        let real = try api.post(Self.cm, Self.configMap("wet")).json
        // force: the POST's manager owns data.a, and a real server refuses an unforced apply changing it.
        let rv = real[path: ["metadata", "resourceVersion"]]
        let applied = try api.apply(Self.cm + "/wet", Self.configMap("wet", ["a": "changed"]), query: "fieldManager=t&force=true&dryRun=All")
        #expect(applied.json[path: ["data", "a"]] == "changed")
        #expect(applied.json[path: ["metadata", "resourceVersion"]] == rv)
        #expect(try api.delete(Self.cm + "/wet?dryRun=All").status == 200)
        let after = try api.get(Self.cm + "/wet").json
        #expect(after[path: ["data", "a"]] == "1")
        #expect(after[path: ["metadata", "resourceVersion"]] == rv)
        let listRV = try api.get(Self.cm).json[path: ["metadata", "resourceVersion"]]
        #expect(listRV == rv)
        #expect(emulator.requests().filter(\.dryRun).count == 3)
    }

    @Test func namespaceDeletionTakesItsObjects() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let ns = try api.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "tmp"]])
        #expect(ns.json[path: ["status", "phase"]] == "Active")
        _ = try api.post("/api/v1/namespaces/tmp/configmaps", Self.configMap("c"))
        #expect(try api.delete("/api/v1/namespaces/tmp").status == 200)
        #expect(try api.get("/api/v1/namespaces/tmp/configmaps/c").status == 404)
    }
}
