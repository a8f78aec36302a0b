import Document
import Emulator
import Testing
import TestSupport

@Suite struct CustomResourceTests {
    static let routes = "/apis/traefik.io/v1alpha1/namespaces/default/ingressroutes"

    /// `weight` is an integer in the IngressRoute CRD of Traefik chart 27.0.2 (what k3s v1.31.4 serves).
    static func route(weight: Value, extra: Value? = nil) -> Value {
        var service: Value = ["name": "web", "port": 80, "weight": weight]
        if let extra { service["unknownKnob"] = extra }
        return [
            "apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": ["name": "web"],
            "spec": ["routes": [["match": "Host(`x`)", "kind": "Rule", "services": [service]]]],
        ]
    }

    @Test func wrongTypeIsInvalidWithTheFieldPath() throws {
        let emulator = try EmulatorFixtures.started(crds: true)
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let r = try api.post(Self.routes, Self.route(weight: "eighty"))
        #expect(r.status == 422)
        #expect(r.json["reason"] == "Invalid")
        let field = "spec.routes[0].services[0].weight"
        #expect(r.json["message"]?.stringValue ==
                "IngressRoute.traefik.io \"web\" is invalid: \(field): Invalid value: \"string\": \(field) in body must be of type integer: \"string\"")
        let cause = r.json[path: ["details", "causes"]]?.arrayValue?.first
        #expect(cause?["field"]?.stringValue == field)
        #expect(try api.get(Self.routes + "/web").status == 404)
    }

    @Test func validObjectsAreStoredWithUnknownFieldsPruned() throws {
        let emulator = try EmulatorFixtures.started(crds: true)
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let r = try api.post(Self.routes, Self.route(weight: 8080, extra: "dropped"))
        #expect(r.status == 201)
        let service = r.json[path: ["spec", "routes"]]?.arrayValue?.first?["services"]?.arrayValue?.first
        #expect(service?["weight"] == 8080)
        #expect(service?["unknownKnob"] == nil)
        // Service ports are int-or-string: a named port is fine.
        var named = Self.route(weight: 1)
        named["metadata"] = ["name": "named"]
        named["spec"] = ["routes": [["match": "Host(`y`)", "kind": "Rule", "services": [["name": "web", "port": "http"]]]]]
        #expect(try api.post(Self.routes, named).status == 201)
    }

    @Test func requiredAndEnumAreEnforced() throws {
        let emulator = try EmulatorFixtures.started(crds: true)
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let r = try api.post(Self.routes, ["apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": ["name": "x"],
                                            "spec": ["routes": [["kind": "Teleport"]]]])
        #expect(r.status == 422)
        let causes = r.json[path: ["details", "causes"]]?.arrayValue ?? []
        #expect(causes.contains { $0["field"] == "spec.routes[0].match" && $0["reason"] == "FieldValueRequired" })
        #expect(causes.contains { $0["field"] == "spec.routes[0].kind" && $0["reason"] == "FieldValueNotSupported" })
    }

    @Test func crdCreatedAtRunTimeIsEstablishedAndDiscoverable() throws {
        let emulator = try EmulatorFixtures.started()
        defer { emulator.stop() }
        let api = EmulatorClient(emulator)
        let crd: Value = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "widgets.example.com"],
            "spec": [
                "group": "example.com", "scope": "Namespaced",
                "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]],
                "versions": [["name": "v1", "served": true, "storage": true, "schema": ["openAPIV3Schema": [
                    "type": "object",
                    "properties": ["spec": ["type": "object", "properties": ["size": ["type": "integer"]]]],
                ]]]],
            ],
        ]
        let created = try api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
        #expect(created.status == 201)
        let conditions = created.json[path: ["status", "conditions"]]?.arrayValue ?? []
        #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })
        let resources = try api.get("/apis/example.com/v1").json["resources"]?.arrayValue ?? []
        #expect(resources.contains { $0["name"] == "widgets" && $0["kind"] == "Widget" && $0["namespaced"] == true })
        #expect(try api.get("/apis").json["groups"]?.arrayValue?.contains { $0["name"] == "example.com" } == true)
        let widget = try api.post("/apis/example.com/v1/namespaces/default/widgets",
                                  ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": ["size": 3]])
        #expect(widget.status == 201)

        #expect(try api.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com").status == 200)
        #expect(try api.get("/apis/example.com/v1").status == 404)
    }
}
