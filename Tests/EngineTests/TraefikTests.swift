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

/// traefik.acme and traefik.routes: FAF's compose-stack Traefik configuration translated into
/// step parameters, the objects they generate, their validation, and applying them against the
/// real Traefik and helm-controller CRDs.
@Suite struct TraefikTests {
    static let secretToken = "cf-token-do-not-print"
    static let htpasswd = "admin:$apr1$ZjTqBB3f$IF9gdYAGlMrs2fuINjHsz."

    static let secrets = Secrets(file: "secrets.yaml", root: [
        "cloudflare": .branch(["dnsToken": .leaf(Sensitive(secretToken))]),
        "traefik": .branch(["dashboard": .leaf(Sensitive(htpasswd))]),
    ])

    static let header = """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: faf}
        vars:
          domain: faforever.com
        steps:
          - id: k3s
            type: k3s.install
            with:
              version: v1.31.4+k3s1
              nodeName: node-1
              installer: {file: /root/k3s-install.sh}

        """

    /// FAF's compose resolver (traefik.yml: `default`, tlsChallenge) with storage on a claim.
    static let acmeStep = """
          - id: traefik
            type: traefik.acme
            needs: [k3s]
            with:
              email: admin@faforever.com
              challenge: tls
              storage: {claim: traefik-acme}
              tlsOptions:
                minVersion: VersionTLS12
                sniStrict: true
                cipherSuites:
                  - TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305
                  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
                  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
                  - TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256

        """

    /// The Traefik labels of faf-java-api, faf-content (docker-compose.yml) and faf-unitdb
    /// (faf-extra.yml), plus a basic-auth protected route as the compose stack had for its dashboard.
    static let routesStep = """
          - id: routes
            type: traefik.routes
            needs: [traefik]
            with:
              namespace: faf-apps
              middlewares:
                - name: test-compress
                  compress: {}
                - name: redirect-replay-subdomain
                  redirectRegex:
                    regex: ^(http|https)://replay.${{ vars.domain }}/(.*)
                    replacement: ${1}://api.${{ vars.domain }}/game/${2}/replay
                - name: cors
                  headers:
                    accessControlAllowMethods: [GET]
                    accessControlAllowOriginList: ["*"]
                    accessControlMaxAge: 60
                    addVaryHeader: false
                - name: unitdb-stripprefix
                  stripPrefix: {prefixes: [/faf/unitsDB]}
                - name: rabbitmq-auth
                  basicAuth:
                    users: ["${{ secrets.traefik.dashboard }}"]
              routes:
                - name: faf-java-api
                  hosts: ["api.${{ vars.domain }}"]
                  service: faf-java-api
                  port: 8010
                  middlewares: [test-compress]
                - name: faf-content
                  hosts: ["content.${{ vars.domain }}", "replay.${{ vars.domain }}"]
                  service: faf-content
                  port: 80
                  middlewares: [redirect-replay-subdomain, test-compress, cors]
                - name: faf-unitdb
                  match: Host(`unitdb.${{ vars.domain }}`) || Host(`direct.${{ vars.domain }}`) && PathPrefix(`/faf/unitsDB`)
                  service: faf-unitdb
                  port: 80
                  middlewares: [unitdb-stripprefix, test-compress]
                - name: faf-rabbitmq
                  hosts: ["rabbitmq.${{ vars.domain }}"]
                  service: faf-rabbitmq
                  port: 15672
                  middlewares: [rabbitmq-auth]

        """

    // MARK: - Helpers

    func check(_ steps: String, secrets: Secrets = Self.secrets) throws(Diagnostics) -> CheckedPlaybook {
        try CheckedPlaybook.check(PlaybookLoader.parse(Self.header + steps, file: "faf.yaml"), secrets: secrets, registry: StepCatalog.registry)
    }

    /// Every diagnostic of a playbook that must be rejected, as printed.
    func rejection(_ steps: String) -> [String] {
        do {
            _ = try check(steps)
            Issue.record("the playbook was accepted")
            return []
        } catch {
            return error.items.map(\.description)
        }
    }

    func context(_ id: String, kube: KubeClient? = nil, mode: StepContext.Mode = .plan) -> StepContext {
        StepContext(stepID: id, mode: mode, host: LocalHost(root: "/", environment: [:]), kube: kube, connect: { kube },
                    progress: { _ in }, waitTimeout: .seconds(10), playbookName: "faf")
    }

    func plan(_ playbook: CheckedPlaybook, _ id: String, kube: KubeClient? = nil) async throws -> StepPlan {
        try await playbook.steps[id]!.driver.check(context(id, kube: kube))
    }

    func emulatorClient(_ server: EmulatorServer) throws -> KubeClient {
        KubeClient(config: try KubeConfig.parse(server.kubeconfigYAML(), path: "emulator", context: nil))
    }

    func yaml(_ objects: [Value]) -> String { objects.map { YAML.emit($0) }.joined(separator: "---\n") }

    // MARK: - traefik.acme

    @Test func composeResolverBecomesChartValuesAndTLSOption() async throws {
        let playbook = try check(Self.acmeStep)
        let plan = try await plan(playbook, "traefik")
        #expect(plan.objects.count == 2)
        #expect(plan.objects[0][path: ["spec", "valuesContent"]] == .string("""
            certResolvers:
              default:
                email: admin@faforever.com
                storage: /data/acme.json
                tlsChallenge: true
            persistence:
              enabled: true
              existingClaim: traefik-acme
              path: /data
            updateStrategy:
              type: Recreate
              rollingUpdate: null
            ports:
              web:
                redirectTo:
                  port: websecure

            """))
        #expect(plan.objects[0]["metadata"] == ["name": "traefik", "namespace": "kube-system"])
        #expect(plan.objects[0]["apiVersion"] == "helm.cattle.io/v1")
        #expect(plan.objects[0]["kind"] == "HelmChartConfig")
        #expect(plan.objects[1] == [
            "apiVersion": "traefik.io/v1alpha1", "kind": "TLSOption",
            "metadata": ["name": "default", "namespace": "kube-system"],
            "spec": [
                "minVersion": "VersionTLS12",
                "cipherSuites": ["TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                                 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"],
                "sniStrict": true,
            ],
        ])
        #expect(plan.warnings == ["k3s upgrades its Traefik release with new values: Traefik restarts, so ingress pauses for a few seconds"])
        #expect(TraefikACME.chartVersion == "27.0.201+up27.0.2")
        #expect(TraefikACME.summary.contains(TraefikACME.chartVersion))
    }

    @Test func dnsChallengeTakesItsTokenFromASecretThatNeverPrints() async throws {
        let playbook = try check("""
              - id: traefik
                type: traefik.acme
                with:
                  resolver: cloudflare
                  email: admin@faforever.com
                  caServer: https://acme-staging-v02.api.letsencrypt.org/directory
                  challenge: dns
                  dns:
                    provider: cloudflare
                    token: ${{ secrets.cloudflare.dnsToken }}
                    resolvers: ["1.1.1.1:53"]
                  storage: {claim: traefik-acme, path: /certs}
                  redirectToHTTPS: false
                  tlsOptions: {namespace: faf-infra, minVersion: VersionTLS13}

            """)
        let plan = try await plan(playbook, "traefik")
        #expect(plan.objects.count == 3)
        let secret = plan.objects[0]
        #expect(secret["metadata"] == ["name": "traefik-acme-dns", "namespace": "kube-system"])
        let encoded = Data(Self.secretToken.utf8).base64EncodedString()
        #expect(secret[path: ["data", "CF_DNS_API_TOKEN"]] == .sensitive(Sensitive(encoded)))
        #expect(plan.objects[1][path: ["spec", "valuesContent"]] == .string("""
            certResolvers:
              cloudflare:
                email: admin@faforever.com
                caServer: https://acme-staging-v02.api.letsencrypt.org/directory
                storage: /certs/acme.json
                dnsChallenge:
                  provider: cloudflare
                  resolvers:
                    - "1.1.1.1:53"
            env:
              - name: CF_DNS_API_TOKEN
                valueFrom:
                  secretKeyRef:
                    name: traefik-acme-dns
                    key: CF_DNS_API_TOKEN
            persistence:
              enabled: true
              existingClaim: traefik-acme
              path: /certs
            updateStrategy:
              type: Recreate
              rollingUpdate: null

            """))
        #expect(plan.objects[2]["metadata"] == ["name": "default", "namespace": "faf-infra"])
        #expect(plan.objects[2]["spec"] == ["minVersion": "VersionTLS13"])
        #expect(plan.warnings.contains("certificates come from https://acme-staging-v02.api.letsencrypt.org/directory: browsers do not trust a staging CA"))
        for printed in [yaml(plan.objects), JSON.encode(.array(plan.objects)), plan.warnings.joined()] {
            #expect(!printed.contains(Self.secretToken) && !printed.contains(encoded))
        }
        #expect(JSON.encode(secret, options: .revealSecrets).contains(encoded))
    }

    @Test func extraChartValuesMergeUnderTheStepsOwn() async throws {
        // FAF's later Traefik values keep semicolons in query strings for the API's filters.
        let playbook = try check("""
              - id: traefik
                type: traefik.acme
                with:
                  email: admin@faforever.com
                  challenge: http
                  storage: {claim: traefik-acme}
                  values:
                    additionalArguments: ["--entrypoints.websecure.http.encodequerysemicolons=true"]
                    ports: {websecure: {transport: {respondingTimeouts: {readTimeout: 60}}}}

            """)
        let values = try await plan(playbook, "traefik").objects[0][path: ["spec", "valuesContent"]]
        #expect(values == .string("""
            additionalArguments:
              - --entrypoints.websecure.http.encodequerysemicolons=true
            ports:
              websecure:
                transport:
                  respondingTimeouts:
                    readTimeout: 60
              web:
                redirectTo:
                  port: websecure
            certResolvers:
              default:
                email: admin@faforever.com
                storage: /data/acme.json
                httpChallenge:
                  entryPoint: web
            persistence:
              enabled: true
              existingClaim: traefik-acme
              path: /data
            updateStrategy:
              type: Recreate
              rollingUpdate: null

            """))
    }

    @Test func acmeParametersAreCheckedWithPositions() {
        #expect(rejection("""
              - id: traefik
                type: traefik.acme
                with:
                  email: admin@localhost
                  challenge: dns
                  storage: {claim: Traefik_ACME, path: data}
                  tlsOptions:
                    cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA265]
                  values:
                    ports: {web: {redirectTo: {port: web}}}

            """) == [
            "faf.yaml:16:14: error: step \"traefik\": email \"admin@localhost\" is not an email address; Let's Encrypt sends expiry notices there",
            "faf.yaml:17:18: error: step \"traefik\": challenge \"dns\" needs dns: {provider, token}",
            "faf.yaml:18:24: error: step \"traefik\": storage.claim \"Traefik_ACME\" is not a valid claim name (lowercase letters, digits and '-', at most 63)",
            "faf.yaml:18:44: error: step \"traefik\": storage.path: \"data\" must be an absolute path",
            "faf.yaml:20:24: error: step \"traefik\": tlsOptions.cipherSuites: unknown cipher suite \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA265\" (did you mean \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"?)",
            "faf.yaml:22:42: error: step \"traefik\": values.ports.web.redirectTo.port is set by this step; use its parameters instead",
        ])
        #expect(rejection("""
              - id: traefik
                type: traefik.acme
                with:
                  email: admin@faforever.com
                  challenge: tls
                  dns: {provider: route53, token: "${{ secrets.cloudflare.dnsToken }}"}
                  storage: {claim: traefik-acme}

            """) == [
            "faf.yaml:18:12: error: step \"traefik\": dns is only used with challenge: dns (challenge is \"tls\")",
        ])
        #expect(rejection("""
              - id: traefik
                type: traefik.acme
                with:
                  email: admin@faforever.com
                  challenge: dns
                  dns: {provider: route53, token: "${{ secrets.cloudflare.dnsToken }}"}
                  storage: {claim: traefik-acme}

            """) == [
            "faf.yaml:18:23: error: step \"traefik\": dns.tokenVariable is required for provider \"route53\": name the variable lego reads its token from (known: cloudflare, digitalocean, duckdns, hetzner, linode, vultr)",
        ])
    }

    @Test func dnsTokenMustBeASecretAndTLSVersionsBelow12AreRefused() {
        let messages = rejection("""
              - id: traefik
                type: traefik.acme
                with:
                  email: admin@faforever.com
                  challenge: dns
                  dns: {provider: cloudflare, token: plain-text-token}
                  storage: {claim: traefik-acme}
                  tlsOptions: {minVersion: VersionTLS11}

            """)
        #expect(messages == [
            "faf.yaml:18:42: error: step \"traefik\": parameter \"dns.token\" must come from the secrets file (${{ secrets.* }}): a value written in the playbook is not protected",
            "faf.yaml:20:32: error: step \"traefik\": parameter \"tlsOptions.minVersion\" \"VersionTLS11\" is not one of \"VersionTLS12\", \"VersionTLS13\" (did you mean \"VersionTLS12\"?)",
        ])
        #expect(!messages.joined().contains("plain-text-token"))
    }

    @Test func k3sWithoutItsTraefikIsRefusedForAcmeAndWarnedForRoutes() throws {
        let disabling = Self.header.replacingOccurrences(of: "nodeName: node-1", with: "nodeName: node-1\n      disable: [traefik]")
        do {
            _ = try CheckedPlaybook.check(PlaybookLoader.parse(disabling + Self.acmeStep, file: "faf.yaml"), secrets: Self.secrets,
                                          registry: StepCatalog.registry)
            Issue.record("accepted")
        } catch {
            #expect(error.items.map(\.description) == [
                "faf.yaml:18:7: error: step \"traefik\": step \"k3s\" disables k3s' bundled Traefik, which this step configures; remove \"traefik\" from its disable list",
            ])
        }
        let routes = try CheckedPlaybook.check(PlaybookLoader.parse(disabling + Self.routesStep.replacingOccurrences(of: "needs: [traefik]", with: "needs: [k3s]"), file: "faf.yaml"), secrets: Self.secrets,
                                               registry: StepCatalog.registry)
        #expect(routes.warnings.map(\.description).contains(
            "faf.yaml:18:7: warning: step \"routes\": step \"k3s\" disables k3s' bundled Traefik: these routes need a Traefik installed some other way"))
    }

    // MARK: - traefik.routes

    @Test func composeLabelsBecomeIngressRoutesAndMiddlewares() async throws {
        let playbook = try check(Self.acmeStep + Self.routesStep)
        #expect(playbook.warnings.isEmpty)
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
        let applying = StepContext(stepID: "routes", mode: .apply, host: LocalHost(root: "/", environment: [:]), kube: kube,
                                   connect: { kube }, progress: { _ in }, waitTimeout: .milliseconds(300), playbookName: "faf")
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

    // MARK: - Fixtures

    static func legacyCRD(kind: String, plural: String) -> Value {
        ["apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "metadata": ["name": .string("\(plural).traefik.containo.us")],
         "spec": [
            "group": "traefik.containo.us", "scope": "Namespaced",
            "names": ["kind": .string(kind), "plural": .string(plural), "singular": .string(kind.lowercased()), "listKind": .string(kind + "List")],
            "versions": [["name": "v1alpha1", "served": true, "storage": true,
                          "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]],
         ]]
    }

    static let expectedRoutes = """
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata:
          name: test-compress
          namespace: faf-apps
        spec:
          compress: {}
        ---
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata:
          name: redirect-replay-subdomain
          namespace: faf-apps
        spec:
          redirectRegex:
            regex: ^(http|https)://replay.faforever.com/(.*)
            replacement: ${1}://api.faforever.com/game/${2}/replay
        ---
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata:
          name: cors
          namespace: faf-apps
        spec:
          headers:
            accessControlAllowMethods:
              - GET
            accessControlAllowOriginList:
              - "*"
            accessControlMaxAge: 60
            addVaryHeader: false
        ---
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata:
          name: unitdb-stripprefix
          namespace: faf-apps
        spec:
          stripPrefix:
            prefixes:
              - /faf/unitsDB
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: rabbitmq-auth-basicauth
          namespace: faf-apps
        type: Opaque
        data:
          users: (sensitive)
        ---
        apiVersion: traefik.io/v1alpha1
        kind: Middleware
        metadata:
          name: rabbitmq-auth
          namespace: faf-apps
        spec:
          basicAuth:
            secret: rabbitmq-auth-basicauth
        ---
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: faf-java-api
          namespace: faf-apps
        spec:
          entryPoints:
            - websecure
          routes:
            - kind: Rule
              match: Host(`api.faforever.com`)
              middlewares:
                - name: test-compress
              services:
                - kind: Service
                  name: faf-java-api
                  port: 8010
          tls:
            certResolver: default
        ---
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: faf-content
          namespace: faf-apps
        spec:
          entryPoints:
            - websecure
          routes:
            - kind: Rule
              match: Host(`content.faforever.com`) || Host(`replay.faforever.com`)
              middlewares:
                - name: redirect-replay-subdomain
                - name: test-compress
                - name: cors
              services:
                - kind: Service
                  name: faf-content
                  port: 80
          tls:
            certResolver: default
        ---
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: faf-unitdb
          namespace: faf-apps
        spec:
          entryPoints:
            - websecure
          routes:
            - kind: Rule
              match: Host(`unitdb.faforever.com`) || Host(`direct.faforever.com`) && PathPrefix(`/faf/unitsDB`)
              middlewares:
                - name: unitdb-stripprefix
                - name: test-compress
              services:
                - kind: Service
                  name: faf-unitdb
                  port: 80
          tls:
            certResolver: default
        ---
        apiVersion: traefik.io/v1alpha1
        kind: IngressRoute
        metadata:
          name: faf-rabbitmq
          namespace: faf-apps
        spec:
          entryPoints:
            - websecure
          routes:
            - kind: Rule
              match: Host(`rabbitmq.faforever.com`)
              middlewares:
                - name: rabbitmq-auth
              services:
                - kind: Service
                  name: faf-rabbitmq
                  port: 15672
          tls:
            certResolver: default

        """
}
