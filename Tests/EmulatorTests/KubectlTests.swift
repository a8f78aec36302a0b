import Document
import Emulator
import Foundation
import Testing
import TestSupport

/// The emulator is only useful if the real kubectl accepts it: these run kubectl itself.
@Suite struct KubectlTests {
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: faf
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: faf
        data:
          mode: production
        ---
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: api
          namespace: faf
        spec:
          entryPoints: [websecure]
          routes:
          - match: Host(`api.faforever.com`)
            kind: Rule
            services:
            - name: faf-api
              port: 8010
        """

    /// A started emulator with the CRDs k3s v1.31.4 serves and kubectl pointed at it; nil (with an Issue) without kubectl.
    static func setUp() throws -> (EmulatorServer, EmulatorKubectl, URL)? {
        guard EmulatorKubectl.executable != nil else {
            Issue.record("kubectl is not installed; scripts/test installs it")
            return nil
        }
        let emulator = try EmulatorFixtures.started(crds: true)
        let dir = try EmulatorFixtures.temporaryDirectory()
        return (emulator, try EmulatorKubectl(emulator: emulator, directory: dir), dir)
    }

    @Test func serverSideApplyThenGetReplaceAndDelete() throws {
        guard let (emulator, kubectl, dir) = try Self.setUp() else { return }
        defer { emulator.stop(); try? FileManager.default.removeItem(at: dir) }
        let manifestDir = dir.appendingPathComponent("manifests")
        try FileManager.default.createDirectory(at: manifestDir, withIntermediateDirectories: true)
        try Self.manifests.write(to: manifestDir.appendingPathComponent("stack.yaml"), atomically: true, encoding: .utf8)

        let applied = try kubectl.run(["apply", "--server-side", "-f", manifestDir.path])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("namespace/faf serverside-applied"))
        #expect(applied.stdout.contains("ingressroute.traefik.io/api serverside-applied"))

        // k3s v1.31.4 serves IngressRoute in two groups (traefik.io and the older traefik.containo.us),
        // so a short name is ambiguous there as here: the group is named, as on a real k3s.
        let route = try kubectl.run(["get", "-n", "faf", "ingressroutes.traefik.io", "api", "-o", "yaml"])
        #expect(route.status == 0, "\(route.stderr)")
        let object = try YAML.parseOne(route.stdout, file: "route.yaml").resolved
        #expect(object[path: ["spec", "routes"]]?.arrayValue?.first?["services"]?.arrayValue?.first?["port"] == 8010)
        #expect(object[path: ["metadata", "uid"]]?.stringValue?.isEmpty == false)

        // Applying the same files again changes nothing, so the resourceVersion stays.
        let before = object[path: ["metadata", "resourceVersion"]]
        #expect(try kubectl.run(["apply", "--server-side", "-f", manifestDir.path]).status == 0)
        let again = try YAML.parseOne(try kubectl.run(["get", "-n", "faf", "ingressroutes.traefik.io", "api", "-o", "yaml"]).stdout, file: "r").resolved
        #expect(again[path: ["metadata", "resourceVersion"]] == before)

        // replace with a stale resourceVersion is refused.
        let cm = try YAML.parseOne(try kubectl.run(["get", "-n", "faf", "configmap", "settings", "-o", "yaml"]).stdout, file: "cm").resolved
        var stale = cm
        stale["data"] = ["mode": "staging"]
        stale["metadata"]?["resourceVersion"] = "1"
        let staleFile = dir.appendingPathComponent("stale.yaml")
        try YAML.emit(stale).write(to: staleFile, atomically: true, encoding: .utf8)
        let replaced = try kubectl.run(["replace", "-f", staleFile.path])
        #expect(replaced.status != 0)
        #expect(replaced.stderr.contains("Operation cannot be fulfilled on configmaps \"settings\": the object has been modified"))

        let deleted = try kubectl.run(["delete", "-n", "faf", "configmap", "settings"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        let gone = try kubectl.run(["get", "-n", "faf", "configmap", "settings"])
        #expect(gone.status != 0)
        #expect(gone.stderr.contains("Error from server (NotFound): configmaps \"settings\" not found"))
    }

    @Test func apiResourcesListsTheCRDs() throws {
        guard let (emulator, kubectl, dir) = try Self.setUp() else { return }
        defer { emulator.stop(); try? FileManager.default.removeItem(at: dir) }
        let r = try kubectl.run(["api-resources"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("ingressroutes ") && $0.contains("traefik.io/v1alpha1") && $0.contains("IngressRoute") })
        #expect(lines.contains { $0.hasPrefix("helmcharts ") && $0.contains("helm.cattle.io/v1") })
        #expect(lines.contains { $0.hasPrefix("configmaps ") && $0.contains(" cm ") })
    }

    @Test func schemaErrorsReachKubectlWithTheFieldPath() throws {
        guard let (emulator, kubectl, dir) = try Self.setUp() else { return }
        defer { emulator.stop(); try? FileManager.default.removeItem(at: dir) }
        let bad = """
            apiVersion: traefik.io/v1alpha1
            kind: IngressRoute
            metadata: {name: bad, namespace: default}
            spec:
              routes:
              - match: Host(`x`)
                priority: high
            """
        let r = try kubectl.run(["apply", "--server-side", "-f", "-"], stdin: bad)
        #expect(r.status != 0)
        #expect(r.stderr.contains("spec.routes[0].priority: Invalid value: \"string\": spec.routes[0].priority in body must be of type integer"))
    }

    /// kubectl's default validation (strict) works against the emulator: /openapi/v3 says the server
    /// takes fieldValidation, so kubectl sends Strict and the emulator names the unknown field.
    @Test func kubectlValidationRefusesUnknownFields() throws {
        guard let (emulator, kubectl, dir) = try Self.setUp() else { return }
        defer { emulator.stop(); try? FileManager.default.removeItem(at: dir) }
        let typo = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: typo, namespace: default}
            dataa: {mode: production}
            """
        let replaced = try kubectl.run(["create", "-f", "-"], stdin: typo)
        #expect(replaced.status != 0)
        #expect(replaced.stderr.contains(#"strict decoding error: unknown field "dataa""#), "\(replaced.stderr)")
        let applied = try kubectl.run(["apply", "--server-side", "-f", "-"], stdin: typo)
        #expect(applied.status != 0)
        #expect(applied.stderr.contains(".dataa: field not declared in schema"), "\(applied.stderr)")
        let route = """
            apiVersion: traefik.io/v1alpha1
            kind: IngressRoute
            metadata: {name: extra, namespace: default}
            spec:
              routes:
              - match: Host(`x`)
                kind: Rule
                middlewarez: []
            """
        let r = try kubectl.run(["create", "-f", "-"], stdin: route)
        #expect(r.status != 0)
        #expect(r.stderr.contains(#"unknown field "spec.routes[0].middlewarez""#), "\(r.stderr)")
        #expect(try kubectl.run(["get", "configmap", "typo"]).status != 0)
        #expect(try kubectl.run(["get", "ingressroute", "extra"]).status != 0)
        // What the emulator knows is accepted under the same validation.
        let valid = try kubectl.run(["create", "-f", "-"], stdin: typo.replacingOccurrences(of: "dataa", with: "data"))
        #expect(valid.status == 0, "\(valid.stderr)")
    }
}
