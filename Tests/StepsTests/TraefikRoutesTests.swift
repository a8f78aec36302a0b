import Document
import Emulator
import Engine
import Foundation
import Host
import Kube
import Playbook
import Steps
import Testing
import TestSupport

/// traefik.routes: FAF's compose labels as routes, their validation, and applying them.
extension TraefikTests {
    @Test func composeLabelsBecomeIngressRoutesAndMiddlewares() async throws {
        let playbook = try check(Self.acmeStep + Self.routesStep)
        #expect(Self.apartFromLimits(playbook.warnings).isEmpty)
        let objects = try await plan(playbook, "routes").objects
        // Traefik's `${1}` groups pass interpolation untouched; only `${{ … }}` is the playbook's.
        #expect(objects[1][path: ["spec", "redirectRegex"]] == [
            "regex": "^(http|https)://replay.faforever.com/(.*)",
            "replacement": "${1}://api.faforever.com/game/${2}/replay",
        ])
        #expect(yaml(objects) == Self.expectedRoutes)
    }

    @Test func routesAndAcmeApplyAgainstTheRealCRDs() async throws {
        let server = try EmulatorFixtures.started(crds: true)
        defer { server.stop() }
        let kube = try emulatorClient(server)
        _ = try await kube.apply(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "faf-apps"]], dryRun: false)
        let playbook = try check(Self.acmeStep + Self.routesStep)
        for id in ["traefik", "routes"] {
            let driver = playbook.steps[id]!.driver
            let applying = context(id, kube: kube, mode: .apply)
            let plan = try await driver.check(applying)
            try await driver.apply(plan, applying)
            #expect(try await driver.verify(plan, applying) == [])
        }
        // Once applied, the same values no longer announce a Traefik restart.
        #expect(try await plan(playbook, "traefik", kube: kube).warnings == [])
        let route = server.object(apiVersion: "traefik.io/v1alpha1", kind: "IngressRoute", namespace: "faf-apps", name: "faf-content")
        #expect(route?[path: ["spec", "routes"]]?.arrayValue?.first?["match"] == "Host(`content.faforever.com`) || Host(`replay.faforever.com`)")
        #expect(route?[path: ["metadata", "labels", "app.kubernetes.io/managed-by"]] == "bootstrap")
        #expect(route?[path: ["metadata", "annotations", Ledger.stepAnnotation]] == "faf/routes")
        let cors = server.object(apiVersion: "traefik.io/v1alpha1", kind: "Middleware", namespace: "faf-apps", name: "cors")
        #expect(cors?[path: ["spec", "headers", "accessControlMaxAge"]] == 60)
        let option = server.object(apiVersion: "traefik.io/v1alpha1", kind: "TLSOption", namespace: "kube-system", name: "default")
        #expect(option?[path: ["spec", "minVersion"]] == "VersionTLS12")
        let config = server.object(apiVersion: "helm.cattle.io/v1", kind: "HelmChartConfig", namespace: "kube-system", name: "traefik")
        #expect(config?[path: ["spec", "valuesContent"]]?.stringValue?.contains("existingClaim: traefik-acme") == true)
        // On the wire the basic-auth Secret carries the real htpasswd line.
        let secret = server.object(apiVersion: "v1", kind: "Secret", namespace: "faf-apps", name: "rabbitmq-auth-basicauth")
        #expect(secret?[path: ["data", "users"]] == .string(Data(Self.htpasswd.utf8).base64EncodedString()))
    }

    @Test func theEmulatorRejectsWhatTraefiksCRDsDoNotAllow() async throws {
        let server = try EmulatorFixtures.started(crds: true)
        defer { server.stop() }
        let kube = try emulatorClient(server)
        let wrong: Value = ["apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": ["name": "x", "namespace": "default"],
                            "spec": ["routes": [["match": "Host(`a`)", "kind": "Rule", "services": [["name": "x", "port": 80]]]],
                                     "entryPoints": "websecure"]]
        let error = await #expect(throws: KubeError.self) { _ = try await kube.apply(wrong, dryRun: false) }
        #expect(error.map { "\($0)" }?.contains("spec.entryPoints in body must be of type array") == true)
    }

    @Test func applyWaitsForTraefiksCRDsAndSaysWhatItWaitedFor() async throws {
        let server = try EmulatorFixtures.started(crds: false)
        defer { server.stop() }
        let kube = try emulatorClient(server)
        let playbook = try check(Self.acmeStep + Self.routesStep)
        let driver = playbook.steps["routes"]!.driver
        let applying = stepContext("routes", host: LocalHost(root: "/", environment: [:]), kube: kube, timeout: .milliseconds(300))
        let plan = try await driver.check(applying)
        let error = await #expect(throws: StepError.self) { try await driver.apply(plan, applying) }
        #expect(error?.message == "timed out after 0.3 seconds waiting for Middleware (traefik.io/v1alpha1) to be served")
        // Nothing half-applied: the basic-auth Secret waits with the rest.
        #expect(server.object(apiVersion: "v1", kind: "Secret", namespace: "faf-apps", name: "rabbitmq-auth-basicauth") == nil)
    }

    @Test func basicAuthUsersNeverShowInThePlan() async throws {
        let playbook = try check(Self.acmeStep + Self.routesStep)
        let plan = try await plan(playbook, "routes")
        let secret = try #require(plan.objects.first { $0["kind"] == "Secret" })
        #expect(secret[path: ["data", "users"]]?.isSensitive == true)
        let encoded = Data(Self.htpasswd.utf8).base64EncodedString()
        for printed in [yaml(plan.objects), JSON.encode(.array(plan.objects)), JSON.encode(.array(plan.objects), options: .pretty)] {
            #expect(!printed.contains(Self.htpasswd) && !printed.contains("$apr1$") && !printed.contains(encoded))
            #expect(printed.contains("(sensitive)"))
        }
    }

    @Test func legacyTraefikGroupIsUsedWhenItIsTheOnlyOneServed() async throws {
        let playbook = try check(Self.acmeStep + Self.routesStep)
        let offline = try await plan(playbook, "routes")
        #expect(offline.objects.filter { $0["kind"] != "Secret" }.allSatisfy { $0["apiVersion"] == "traefik.io/v1alpha1" })

        let server = try EmulatorFixtures.started(crds: false)
        defer { server.stop() }
        let kube = try emulatorClient(server)
        for (kind, plural) in [("IngressRoute", "ingressroutes"), ("Middleware", "middlewares"), ("TLSOption", "tlsoptions")] {
            _ = try await kube.apply(Self.legacyCRD(kind: kind, plural: plural), dryRun: false)
        }
        for id in ["routes", "traefik"] {
            let live = try await plan(playbook, id, kube: kube)
            let traefikObjects = live.objects.filter { ["IngressRoute", "Middleware", "TLSOption"].contains($0["kind"]?.stringValue ?? "") }
            #expect(!traefikObjects.isEmpty)
            #expect(traefikObjects.allSatisfy { $0["apiVersion"] == "traefik.containo.us/v1alpha1" })
        }
    }

    @Test func routeParametersAreCheckedWithPositions() {
        #expect(rejection("""
              - id: routes
                type: traefik.routes
                with:
                  namespace: faf-apps
                  middlewares:
                    - {name: test-compress, compress: {}}
                    - {name: cors, headers: {accessControlAllowMethods: [GTE]}}
                  routes:
                    - name: faf-java-api
                      hosts: ["api.faforever.com"]
                      entryPoints: [web-secure]
                      service: faf-java-api
                      port: 8010
                      middlewares: [test-compres, cors]
                    - name: faf-java-api
                      hosts: ["api.${DOMAINNAME}"]
                      service: Faf_API
                      port: 70000
                      middlewares: [test-compress@file]
                    - name: faf-website
                      hosts: [faforever.com]
                      match: Host(`www.faforever.com`)
                      service: faf-website
                      port: 3000
                      tls: {certResolver: letsencrypt}

            """) == [
            "faf.yaml:18:18: warning: step \"routes\": middleware \"test-compress\" is not used by any route",
            "faf.yaml:19:62: error: step \"routes\": \"GTE\" is not an HTTP method (did you mean \"GET\"?)",
            "faf.yaml:21:11: warning: step \"routes\": no traefik.acme step in this playbook defines certificate resolver \"default\"",
            "faf.yaml:23:25: error: step \"routes\": entry point \"web-secure\" is not one k3s' Traefik defines (web, websecure, traefik, metrics) (did you mean \"websecure\"?)",
            "faf.yaml:26:25: error: step \"routes\": unknown middleware \"test-compres\" (did you mean \"test-compress\"?); define it under middlewares or write namespace/name for one defined elsewhere",
            "faf.yaml:27:17: error: step \"routes\": route \"faf-java-api\" is defined twice in namespace faf-apps",
            "faf.yaml:28:19: error: step \"routes\": host \"api.${DOMAINNAME}\" is not a valid DNS name (lower-case letters, digits, '-' and '.')",
            "faf.yaml:29:20: error: step \"routes\": service \"Faf_API\" is not a valid Service name (lowercase letters, digits and '-', at most 63)",
            "faf.yaml:30:17: error: step \"routes\": port 70000 is out of range 1-65535",
            "faf.yaml:31:25: error: step \"routes\": middleware \"test-compress@file\" uses the compose stack's provider syntax; write \"test-compress\"",
            "faf.yaml:32:11: error: step \"routes\": route \"faf-website\" needs exactly one of hosts or match",
        ])
    }

    @Test func routesMustUseTheResolverTraefikAcmeDefines() {
        let acme = Self.acmeStep.replacingOccurrences(of: "email: admin@faforever.com", with: "resolver: letsencrypt\n      email: admin@faforever.com")
        #expect(rejection(acme + """
              - id: routes
                type: traefik.routes
                with:
                  namespace: faf-apps
                  routes:
                    - {name: faf-java-api, hosts: [api.faforever.com], service: faf-java-api, port: 8010}
                    - {name: faf-website, hosts: [faforever.com], service: faf-website, port: 3000, tls: {certResolver: letsencrypt}}
                    - {name: wordpress-http, hosts: [direct.faforever.com], entryPoints: [web], service: faf-wordpress, port: 80, tls: {enabled: false}}

            """) == [
            "faf.yaml:34:11: error: step \"routes\": route \"faf-java-api\" uses certificate resolver \"default\", which no traefik.acme step defines (defined: letsencrypt); set tls.certResolver or certResolver",
        ])
    }

    @Test func basicAuthNeedsHashedLinesFromTheSecretsFile() {
        let steps = """
              - id: routes
                type: traefik.routes
                with:
                  namespace: faf-apps
                  middlewares:
                    - name: auth
                      basicAuth: {users: [USERS]}
                  routes:
                    - {name: faf-rabbitmq, hosts: [rabbitmq.faforever.com], service: faf-rabbitmq, port: 15672, middlewares: [auth]}

            """
        #expect(rejection(steps.replacingOccurrences(of: "USERS", with: "\"admin:$apr1$x$y\"")) == [
            "faf.yaml:19:31: error: step \"routes\": parameter \"middlewares.0.basicAuth.users.0\" must come from the secrets file (${{ secrets.* }}): a value written in the playbook is not protected",
            "faf.yaml:21:11: warning: step \"routes\": no traefik.acme step in this playbook defines certificate resolver \"default\"",
        ])
        let plaintext = Secrets(file: "secrets.yaml", root: ["traefik": .branch(["dashboard": .leaf(Sensitive("admin:hunter2"))])])
        do {
            _ = try check(steps.replacingOccurrences(of: "USERS", with: "\"${{ secrets.traefik.dashboard }}\""), secrets: plaintext)
            Issue.record("accepted")
        } catch {
            let messages = error.items.map(\.description)
            #expect(messages == [
                "faf.yaml:19:31: error: step \"routes\": basicAuth.users: entry 0 is not an htpasswd line with a hashed password (user:$apr1$…, user:$2y$… or user:{SHA}…; make one with htpasswd -nB USER)",
                "faf.yaml:21:11: warning: step \"routes\": no traefik.acme step in this playbook defines certificate resolver \"default\"",
            ])
            #expect(!messages.joined().contains("hunter2"))
        }
    }
}

@Suite struct TraefikInternalServiceTests {
    @Test func dashboardRoutesToTraefiksOwnService() async throws {
        let text = """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: faf}
            steps:
              - id: routes
                type: traefik.routes
                with:
                  namespace: faf-apps
                  routes:
                    - {name: dashboard, hosts: [traefik.faforever.com], service: api@internal}
                    - {name: bad, hosts: [x.faforever.com], service: api@internal, port: 8080}
                    - {name: portless, hosts: [y.faforever.com], service: faf-api}

            """
        do {
            _ = try CheckedPlaybook.check(try PlaybookLoader.parse(text, file: "faf.yaml"), secrets: .none, registry: StepCatalog.registry)
            Issue.record("accepted")
        } catch {
            let errors = error.items.filter { $0.severity == .error }.map(\.description)
            #expect(errors == [
                "faf.yaml:11:78: error: step \"routes\": a route to Traefik's api@internal takes no port",
                "faf.yaml:12:11: error: step \"routes\": route to Service \"faf-api\" needs its port",
                "faf.yaml:12:63: error: step \"routes\": route \"portless\": no step of the playbook creates Service faf-apps/faf-api: "
                    + "an app.workload with ports, a Service in kube.objects, or a helm.chart release in that namespace",
            ])
        }
    }
}
