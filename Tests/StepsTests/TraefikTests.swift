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
        try CheckedPlaybook.check(PlaybookLoader.parse(Self.header + steps + routedServicesStep, file: "faf.yaml"), secrets: secrets, registry: StepCatalog.registry)
    }

    /// Every diagnostic of a playbook that must be rejected, as printed.
    func rejection(_ steps: String) -> [String] {
        do {
            _ = try check(steps)
            Issue.record("the playbook was accepted")
            return []
        } catch {
            return Self.apartFromLimits(error.items).map(\.description)
        }
    }

    /// Diagnostics other than the warning about Traefik's missing cpu and memory limits, which
    /// these fixtures leave out on purpose (`traefikWithoutLimitsIsWarnedAbout` covers it).
    static func apartFromLimits(_ items: [Diagnostic]) -> [Diagnostic] {
        items.filter { !$0.description.contains("Traefik has no cpu or memory limit") }
    }

    func context(_ id: String, kube: KubeClient? = nil, mode: StepContext.Mode = .plan) -> StepContext {
        stepContext(id, mode: mode, host: LocalHost(root: "/", environment: [:]), kube: kube, timeout: .seconds(10))
    }

    func plan(_ playbook: CheckedPlaybook, _ id: String, kube: KubeClient? = nil) async throws -> ChangeSet {
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
                  priority: 1

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
                  priority: 1
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
            #expect(Self.apartFromLimits(error.items).map(\.description) == [
                "faf.yaml:18:7: error: step \"traefik\": step \"k3s\" disables k3s' bundled Traefik, which this step configures; remove \"traefik\" from its disable list",
            ])
        }
        let routes = try CheckedPlaybook.check(PlaybookLoader.parse(disabling + Self.routesStep.replacingOccurrences(of: "needs: [traefik]", with: "needs: [k3s]") + routedServicesStep, file: "faf.yaml"), secrets: Self.secrets,
                                               registry: StepCatalog.registry)
        #expect(routes.warnings.map(\.description).contains(
            "faf.yaml:18:7: warning: step \"routes\": step \"k3s\" disables k3s' bundled Traefik: these routes need a Traefik installed some other way"))
    }

    @Test func newerK3sAndTLS13CipherSuitesAreWarnedAbout() throws {
        let header = Self.header.replacingOccurrences(of: "v1.31.4+k3s1", with: "v1.32.2+k3s1")
        let acme = Self.acmeStep.replacingOccurrences(of: "minVersion: VersionTLS12", with: "minVersion: VersionTLS13")
        let playbook = try CheckedPlaybook.check(PlaybookLoader.parse(header + acme, file: "faf.yaml"), secrets: Self.secrets,
                                                 registry: StepCatalog.registry)
        #expect(Self.apartFromLimits(playbook.warnings).map(\.description) == [
            "faf.yaml:17:7: warning: step \"traefik\": k3s v1.32 bundles Traefik 3 (chart 34.x or newer) but this step writes values for chart 27.0.201+up27.0.2: the HTTPS redirect moved to ports.web.redirections",
            "faf.yaml:24:11: warning: step \"traefik\": tlsOptions.cipherSuites have no effect with VersionTLS13: Go fixes the TLS 1.3 suites",
        ])
    }
}
