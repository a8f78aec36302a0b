import Document
import Emulator
import Engine
import Foundation
import Host
import Kube
import Playbook
import Steps
import Synchronization
import Testing
import TestSupport

/// What k3s v1.31.4+k3s1 really runs (issue 12): each breakage found by reading k3s,
/// helm-controller, the Traefik chart and Bitnami's RabbitMQ chart at the pinned versions.
@Suite struct K3sFactsTests {
    static let secrets = Secrets(file: "secrets.yaml", root: [
        "rabbitmq": .branch(["admin": .leaf(Sensitive("admin-pw-7f3a")), "erlangCookie": .leaf(Sensitive("cookie-9d2e"))]),
    ])

    /// A playbook pinning k3s v1.31.4 (servicelb disabled as FAF does), then `steps`.
    static func playbook(_ steps: String, disable: String = "[servicelb]", version: String = "v1.31.4+k3s1") -> String {
        """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: faf}
        steps:
          - id: k3s
            type: k3s.install
            with:
              version: \(version)
              nodeName: node-1
              disable: \(disable)
              installer: {file: /root/k3s-install.sh}

        """ + steps
    }

    static let volumes = """
          - id: volumes
            type: storage.local-volumes
            with:
              dataRoot: /tank/faf
              backend: directory
              nodeSelector: {storage-id: main-01}
              volumes:
                - {name: traefik-acme, namespace: kube-system, size: 128Mi, mode: "0700"OWNER}

        """

    static func traefik(_ extra: String = "", owner: String = ", owner: \"65532:65532\"") -> String {
        volumes.replacingOccurrences(of: "OWNER", with: owner) + """
          - id: traefik
            type: traefik.acme
            needs: [volumes]
            with:
              email: admin@faforever.com
              challenge: tls
              storage: {claim: traefik-acme-pvc}
        \(extra)
        """
    }

    static func check(_ text: String) throws(Diagnostics) -> CheckedPlaybook {
        try CheckedPlaybook.check(PlaybookLoader.parse(text + routedServicesStep, file: "faf.yaml"), secrets: secrets, registry: StepCatalog.registry)
    }

    /// The diagnostics of a playbook that must be refused.
    static func rejection(_ text: String) -> [String] {
        do {
            _ = try check(text)
            Issue.record("the playbook was accepted")
            return []
        } catch {
            return error.items.filter { $0.description.contains("error:") }.map(\.description)
        }
    }

    static func context(_ id: String, kube: KubeClient? = nil, mode: StepContext.Mode = .apply) -> StepContext {
        stepContext(id, mode: mode, host: LocalHost(root: "/", environment: [:]), kube: kube, timeout: .seconds(10))
    }

    static func values(_ playbook: CheckedPlaybook) async throws -> Value {
        let plan = try await playbook.steps["traefik"]!.driver.check(context("traefik", mode: .plan))
        let text = try #require(plan.objects.first { $0["kind"] == "HelmChartConfig" }?[path: ["spec", "valuesContent"]]?.stringValue)
        return try #require(YAML.parse(text, file: "values").first).resolved
    }

    /// An emulator standing in for a k3s v1.31.4 node: its CRDs, its Traefik HelmChart, ServiceLB on or off.
    static func k3sNode(serviceLB: Bool) throws -> (EmulatorServer, KubeClient, TemporaryDirectory) {
        let dir = TemporaryDirectory("k3s-crds")
        for crd in try #require(K3sReleases.release("v1.31.4+k3s1")).crds {
            try dir.write(crd.file.replacingOccurrences(of: "/", with: "_"), crd.yaml)
        }
        let server = try EmulatorServer(options: EmulatorOptions(crdDirectory: dir.path, nodeName: "node-1",
            k3sAddons: K3sAddons(traefik: true, serviceLB: serviceLB, traefikChart: "27.0.201+up27.0.2")))
        try server.start()
        let kube = KubeClient(config: try KubeConfig.parse(server.kubeconfigYAML(), path: "emulator", context: nil))
        return (server, kube, dir)
    }

    static func applyAndVerify(_ playbook: CheckedPlaybook, _ id: String, _ kube: KubeClient) async throws -> [String] {
        let driver = playbook.steps[id]!.driver
        let plan = try await driver.check(context(id, kube: kube))
        try await driver.apply(plan, context(id, kube: kube))
        return try await driver.verify(plan, context(id, kube: kube))
    }

    // MARK: - 1. Nothing binds 80/443

    @Test func servicelbDisabledWithoutHostBindingIsRefused() {
        #expect(Self.rejection(Self.playbook(Self.traefik())) == [
            "faf.yaml:24:7: error: step \"traefik\": nothing would bind the node's ports 80 and 443: step \"k3s\" disables servicelb, and "
                + "Traefik chart 27.0.201+up27.0.2 publishes them only through a Service of type LoadBalancer, which without ServiceLB "
                + "gets no address; set bind: hostPort (or keep servicelb and bind: serviceLB)",
        ])
        #expect(Self.rejection(Self.playbook(Self.traefik("      bind: serviceLB\n"))).count == 1)
        // With ServiceLB running, the chart's LoadBalancer Service gets the node's ports.
        #expect(throws: Never.self) { try Self.check(Self.playbook(Self.traefik(), disable: "[]")) }
    }

    @Test func hostPortBindsEightyAndFourFourThreeAndKeepsServiceLBAway() async throws {
        let values = try await Self.values(try Self.check(Self.playbook(Self.traefik("      bind: hostPort\n"))))
        #expect(values[path: ["ports", "web", "hostPort"]] == 80)
        #expect(values[path: ["ports", "websecure", "hostPort"]] == 443)
        #expect(values[path: ["service", "type"]] == "ClusterIP")
    }

    @Test func rehearsedNodeBindsPortsOnlyThroughHostPortsOrServiceLB() async throws {
        // The old FAF setting: servicelb disabled, the chart's Service a LoadBalancer. Validation
        // refuses it; a node where it happened anyway is reported by verify.
        let unbound = try Self.check(Self.playbook(Self.traefik(), disable: "[]"))
        let (server, kube, dir) = try Self.k3sNode(serviceLB: false)
        defer { server.stop(); _ = dir }
        let drift = try await Self.applyAndVerify(unbound, "traefik", kube)
        #expect(drift.contains { $0.hasPrefix("nothing binds the node's port 80: the Traefik pods have no hostPort 80 and Service kube-system/traefik is LoadBalancer without a load-balancer address") })
        #expect(drift.contains { $0.hasPrefix("nothing binds the node's port 443") })

        let bound = try Self.check(Self.playbook(Self.traefik("      bind: hostPort\n")))
        #expect(try await Self.applyAndVerify(bound, "traefik", kube) == [])
        let service = try #require(server.object(apiVersion: "v1", kind: "Service", namespace: "kube-system", name: "traefik"))
        #expect(service[path: ["spec", "type"]] == "ClusterIP")

        let (lbServer, lbKube, lbDir) = try Self.k3sNode(serviceLB: true)
        defer { lbServer.stop(); _ = lbDir }
        #expect(try await Self.applyAndVerify(unbound, "traefik", lbKube) == [])
    }

    // MARK: - 2. Secrets the pinned helm-controller serves

    static let rabbitmq = """
          - id: rabbitmq
            type: helm.chart
            with:
              name: rabbitmq
              chart: oci://registry-1.docker.io/bitnamicharts/rabbitmq
              version: 14.6.10
              targetNamespace: faf-apps
              timeout: 10m
        """

    @Test func valuesSecretsOnK3sWithoutThemIsRefusedNamingTheReleaseThatAddsThem() {
        let text = Self.playbook(Self.rabbitmq + "\n      secretValues: {auth: {password: \"${{ secrets.rabbitmq.admin }}\"}}\n")
        #expect(Self.rejection(text) == [
            "faf.yaml:20:21: error: step \"rabbitmq\": secretValues needs HelmChart spec.valuesSecrets, which helm-controller v0.16.7 adds "
                + "(bundled from k3s v1.31.8+k3s1 and v1.32.4+k3s1); k3s v1.31.4+k3s1 bundles helm-controller v0.16.5, which lacks it and "
                + "its API server drops the field silently, so the chart would install without these values. Write them with secrets: "
                + "(Secrets in faf-apps) and name those in the chart's own values, e.g. Bitnami's auth.existingPasswordSecret, "
                + "auth.existingErlangSecret, loadDefinition.existingSecret",
        ])
        #expect(throws: Never.self) { try Self.check(Self.playbook(Self.rabbitmq + "\n      secretValues: {auth: {password: \"${{ secrets.rabbitmq.admin }}\"}}\n", version: "v1.31.8+k3s1")) }
    }

    @Test func secretsAreWrittenInTheReleaseNamespaceAndSurviveTheV0165CRD() async throws {
        let text = Self.playbook(Self.rabbitmq + """

              values: {auth: {existingPasswordSecret: rabbitmq-auth, existingErlangSecret: rabbitmq-auth}}
              secrets:
                - name: rabbitmq-auth
                  data:
                    rabbitmq-password: ${{ secrets.rabbitmq.admin }}
                    rabbitmq-erlang-cookie: ${{ secrets.rabbitmq.erlangCookie }}

        """, disable: "[]")
        let playbook = try Self.check(text)
        let (server, kube, dir) = try Self.k3sNode(serviceLB: true)
        defer { server.stop(); _ = dir }
        _ = try await kube.apply(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "faf-apps"]], dryRun: false)
        let plan = try await playbook.steps["rabbitmq"]!.driver.check(Self.context("rabbitmq", kube: kube))
        #expect(plan.objects.map { "\($0["kind"]?.stringValue ?? "") \($0[path: ["metadata", "namespace"]]?.stringValue ?? "")" }
                == ["Secret faf-apps", "HelmChart kube-system"])
        #expect(plan.objects[1][path: ["spec", "valuesSecrets"]] == nil)
        #expect(try await Self.applyAndVerify(playbook, "rabbitmq", kube) == [])
        let secret = try #require(server.object(apiVersion: "v1", kind: "Secret", namespace: "faf-apps", name: "rabbitmq-auth"))
        #expect(secret[path: ["data", "rabbitmq-password"]] == .string(Data("admin-pw-7f3a".utf8).base64EncodedString()))
    }

    // MARK: - 3. acme.json writable by the user Traefik runs as

    @Test func rootOwnedAcmeVolumeIsRefused() {
        let errors = Self.rejection(Self.playbook(Self.traefik("      bind: hostPort\n", owner: "")))
        #expect(errors == [
            "faf.yaml:26:24: error: step \"traefik\": storage.claim traefik-acme-pvc: volume \"traefik-acme\" of step \"volumes\" is owned by root, "
                + "but Traefik chart 27.0.201+up27.0.2 runs as uid 65532 without fsGroup and could not write acme.json: give the volume "
                + "owner: \"65532:65532\" and mode: \"0700\"",
        ])
        let missing = Self.rejection(Self.playbook(Self.traefik("      bind: hostPort\n").replacingOccurrences(of: "claim: traefik-acme-pvc", with: "claim: elsewhere")))
        #expect(missing.count == 1 && missing[0].contains("storage.claim elsewhere is no kube-system claim of the playbook's storage.local-volumes steps (volumes)"))
    }

    // MARK: - 4. Plain-HTTP routes on web are not shadowed by the redirect

    @Test func redirectRouterHasTheLowestPriority() async throws {
        let values = try await Self.values(try Self.check(Self.playbook(Self.traefik("      bind: hostPort\n"))))
        // Traefik v2 gives the redirect router MaxInt32-1 unless the chart passes a priority.
        #expect(values[path: ["ports", "web", "redirectTo"]] == ["port": "websecure", "priority": 1])
    }

    // MARK: - 6. A chart source that keeps pinned versions

    @Test func bitnamiHTTPIndexIsWarnedAbout() throws {
        let text = Self.playbook(Self.rabbitmq.replacingOccurrences(of: "chart: oci://registry-1.docker.io/bitnamicharts/rabbitmq",
                                                                    with: "chart: rabbitmq\n      repo: https://charts.bitnami.com/bitnami"), disable: "[]")
        let warnings = try Self.check(text).warnings.map(\.description)
        #expect(warnings.contains { $0.contains("use chart: oci://registry-1.docker.io/bitnamicharts/rabbitmq (and no repo)") })
    }

    // MARK: - 7. Smaller facts

    @Test func failurePolicyRetryIsRefusedOnHelmController0165() {
        let errors = Self.rejection(Self.playbook(Self.rabbitmq + "\n      failurePolicy: retry\n", disable: "[]"))
        #expect(errors.count == 1 && errors[0].contains("failurePolicy retry needs helm-controller v0.17.0")
                && errors[0].contains("k3s v1.31.4+k3s1 bundles helm-controller v0.16.5"))
    }

    @Test func installWaitIsNeverShorterThanTheChartTimeout() throws {
        let driver = HelmChart(id: "rabbitmq", parameters: .init(name: "rabbitmq", chart: "oci://x/rabbitmq", version: "1.0.0",
                                                                   targetNamespace: "faf-apps", timeout: "10m"))
        #expect(driver.waitTimeout(.seconds(30)) >= .seconds(600))
        #expect(driver.waitTimeout(.seconds(3600)) == .seconds(3600))
        #expect(GoDuration.parse("1h30m") == .seconds(5400))
    }

    @Test func traefikStepWaitsForK3sTraefikInstallJobAndFailsWithIt() async throws {
        let playbook = try Self.check(Self.playbook(Self.traefik("      bind: hostPort\n")))
        let (server, kube, dir) = try Self.k3sNode(serviceLB: false)
        defer { server.stop(); _ = dir }
        server.failHelmChart(named: "traefik")
        let driver = playbook.steps["traefik"]!.driver
        let plan = try await driver.check(Self.context("traefik", kube: kube))
        let error = await #expect(throws: StepError.self) { try await driver.apply(plan, Self.context("traefik", kube: kube)) }
        #expect(error?.message.hasPrefix("Job kube-system/helm-install-traefik failed (BackoffLimitExceeded") == true)
        server.succeedHelmChart(named: "traefik")
        let lines = Mutex<[String]>([])
        let context = stepContext("traefik", mode: .apply, host: LocalHost(root: "/", environment: [:]), kube: kube,
                                  timeout: .seconds(10), progress: { line in lines.withLock { $0.append(line) } })
        _ = try await kube.apply(["apiVersion": "helm.cattle.io/v1", "kind": "HelmChartConfig",
                                  "metadata": ["name": "traefik", "namespace": "kube-system"], "spec": ["valuesContent": "{}"]], dryRun: false)
        try await driver.apply(plan, context)
        #expect(lines.withLock { $0 }.contains("waiting for helm-install-traefik Job (k3s' Traefik with the new values)"))
    }

    @Test func changedStorageLabelIsAppliedToTheExistingNode() async throws {
        let fixture = try HostFixture()
        let (server, kube, dir) = try Self.k3sNode(serviceLB: true)
        defer { server.stop(); _ = dir }
        var parameters = K3sInstallTests.parameters()
        parameters.nodeName = "node-1"
        parameters.nodeLabels = ["storage-id": "main-02"]
        let driver = K3sInstall(id: "k3s", parameters: parameters)
        try await K3sInstall.$readiness.withValue(fakeReadiness(fixture)) {
            let context = stepContext("k3s", mode: .apply, host: fixture.host, kube: kube, timeout: .seconds(5))
            let plan = try await driver.check(context)
            // The label write is planned (plan shows it), not done on the side.
            #expect(plan.objects.map { $0[path: ["metadata", "labels"]] } == [["storage-id": "main-02"]])
            try await driver.apply(plan, context)
            #expect(try await driver.verify(plan, context) == [])
        }
        let node = try #require(server.object(apiVersion: "v1", kind: "Node", namespace: nil, name: "node-1"))
        #expect(node[path: ["metadata", "labels", "storage-id"]] == "main-02")
        #expect(node[path: ["metadata", "labels", "kubernetes.io/hostname"]] == "node-1")
    }
}

/// The table of k3s releases carries exact copies of the CRDs each release serves.
@Suite struct K3sReleaseTableTests {
    /// SHA-256 of each file scripts/embed-k3s-crds was given: Traefik's from traefik/traefik-helm-chart
    /// v27.0.2 `traefik/crds/` unchanged, helm-controller's derived for v0.16.5 (each source is named
    /// in the generated file). A hand edit of the embedded copies fails here.
    static let sourceDigests: [String: String] = [
        "helm-controller-v0.16.5/helm.cattle.io_helmchartconfigs.yaml": "059d9bda667cc65a1c9169f72164eb1d9593ad2797c5da6b46b46619ab9ea289",
        "helm-controller-v0.16.5/helm.cattle.io_helmcharts.yaml": "3c22b967cb50dd36123c86980a59b9987407a188080c2f7cb109837108c0fab0",
        "traefik-27.0.2/traefik.containo.us_ingressroutes.yaml": "285b2d46f5618f0f696fbcd6fd80066b02b662c4f7be35845f05e2f9a5b7ecde",
        "traefik-27.0.2/traefik.containo.us_ingressroutetcps.yaml": "8ef8aa62a7f1184eb486e31391dd5d26a89dc88b177e6342c6ae8a4252c47f58",
        "traefik-27.0.2/traefik.containo.us_ingressrouteudps.yaml": "716c295a407769898f9181ce0938f19e355323483e3c47d98674c5d05d5e8f6c",
        "traefik-27.0.2/traefik.containo.us_middlewares.yaml": "bc86a7d2f78bc19615b8317ce4cac2c8e264b615fabcab7eb222dc0fa2bb02ce",
        "traefik-27.0.2/traefik.containo.us_middlewaretcps.yaml": "677352ee6daeb508377abcbfd289cd027eae12d4367c78749cbd42a932a4e98f",
        "traefik-27.0.2/traefik.containo.us_serverstransports.yaml": "6d605cd33980649432307e446b1eb50d14a8ad5b413a35896415e24adc3d5866",
        "traefik-27.0.2/traefik.containo.us_tlsoptions.yaml": "3d853e2dd5332fab19db9a98a2f6293af9fecf75fb7202cf2bb5b97fb970ad22",
        "traefik-27.0.2/traefik.containo.us_tlsstores.yaml": "4e31ef30488fb9b910b1d421d2a54976c4a9d0b62d1b205238f13c64272cf913",
        "traefik-27.0.2/traefik.containo.us_traefikservices.yaml": "6b2771e0ccfa87d6bd4b288a5b82df184a0866d7d9d55c8337b7b38eb946549b",
        "traefik-27.0.2/traefik.io_ingressroutes.yaml": "bbe184086f26ae93f4abe0a5b35e7f57ced0a85dd335a60aabe582a04e9f4952",
        "traefik-27.0.2/traefik.io_ingressroutetcps.yaml": "84838ef5ec380dbaaf6fb4bcf711f2e55df9958778cb07829c951e3046626ec1",
        "traefik-27.0.2/traefik.io_ingressrouteudps.yaml": "0280a1e2dc988496647b753dc49433734c0bf371d1f477fd42f0db8868ba6e58",
        "traefik-27.0.2/traefik.io_middlewares.yaml": "e8cb2782969a1bffa1f52169cda29ce4af27169a984d81c646e19b70a6035cad",
        "traefik-27.0.2/traefik.io_middlewaretcps.yaml": "3f5f7c2e963c7b3b53da899f3d0973dd10c456e064364fa57a9c1cd322582a6e",
        "traefik-27.0.2/traefik.io_serverstransports.yaml": "bc08839bbe781159936cf71cb1f32eff3b50d520db5d098ff3d520b1909658e1",
        "traefik-27.0.2/traefik.io_serverstransporttcps.yaml": "cf3c102b5c2baef2ecbd98f7b2c8361afe6f77d851895e97d24ae4fa11ea0742",
        "traefik-27.0.2/traefik.io_tlsoptions.yaml": "446ca0f2652406b5a40155cb53a389bf447ea3a7efa25582a705609f3a06e762",
        "traefik-27.0.2/traefik.io_tlsstores.yaml": "c8a1c1c6059983b34d332820913bfa31a7cfe54c77da4b49273727ea7cdd7b56",
        "traefik-27.0.2/traefik.io_traefikservices.yaml": "8cc9b63eec3c2de9c154082900e5223d1d139936124ac4518a2bb8d22a98d127",
    ]

    @Test func bundledCRDsAreExactCopiesOfTheirSources() async throws {
        let release = try #require(K3sReleases.release("v1.31.4+k3s1"))
        #expect(release.helmController == "v0.16.5" && release.traefik == "v2.11.10" && release.traefikChart == "27.0.201+up27.0.2")
        #expect(release.crds.map(\.file).sorted() == Self.sourceDigests.keys.sorted())
        for crd in release.crds {
            let written = Paths.crds + "/" + crd.file.replacing("/", with: "_")
            #expect(try await sha256(of: written) == Self.sourceDigests[crd.file], "\(crd.file) differs from its source")
        }
    }
}

/// TCP and UDP entry points on k3s' Traefik, and IngressRouteTCP/UDP to them.
@Suite struct TCPAndUDPRouteTests {
    static func playbook(entryPoints: String, routes: String) -> String {
        K3sFactsTests.playbook(K3sFactsTests.traefik("""
              bind: hostPort
              entryPoints:
        \(entryPoints)
          - id: routes
            type: traefik.routes
            needs: [traefik]
            with:
              namespace: faf-apps
              routes: []
        \(routes)
        """))
    }

    static let faf = playbook(entryPoints: """
                - {name: replay, port: 15000}
                - {name: irc-tls, port: 6697}
                - {name: voice, port: 3478, protocol: UDP}
        """, routes: """
              tcp:
                - {name: faf-replay, entryPoints: [replay], service: faf-aio-replayserver, port: 15000}
                - {name: matrix, entryPoints: [irc-tls], sni: [chat.faforever.com], service: synapse, port: 8448, tls: {passthrough: true}}
                - {name: irc, entryPoints: [irc-tls], sni: [irc.faforever.com], service: faf-ircd, port: 6667, tls: {certResolver: default}}
              udp:
                - {name: coturn, entryPoints: [voice], service: faf-coturn, port: 3478}
        """)

    @Test func entryPointsAreChartPortsBoundOnTheNode() async throws {
        let values = try await K3sFactsTests.values(try K3sFactsTests.check(Self.faf))
        #expect(values[path: ["ports", "replay"]] == ["port": 15000, "exposedPort": 15000, "protocol": "TCP", "expose": ["default": true], "hostPort": 15000])
        #expect(values[path: ["ports", "voice", "protocol"]] == "UDP")
    }

    @Test func tcpAndUDPRoutesBecomeIngressRoutesTheV1314CRDsKeep() async throws {
        let playbook = try K3sFactsTests.check(Self.faf)
        let (server, kube, dir) = try K3sFactsTests.k3sNode(serviceLB: false)
        defer { server.stop(); _ = dir }
        _ = try await kube.apply(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "faf-apps"]], dryRun: false)
        let plan = try await playbook.steps["routes"]!.driver.check(K3sFactsTests.context("routes", kube: kube))
        #expect(plan.objects.map { $0["kind"]?.stringValue ?? "" } == ["IngressRouteTCP", "IngressRouteTCP", "IngressRouteTCP", "IngressRouteUDP"])
        #expect(plan.objects[0]["spec"] == ["entryPoints": ["replay"], "routes": [["match": "HostSNI(`*`)", "services": [["name": "faf-aio-replayserver", "port": 15000]]]]])
        #expect(plan.objects[1][path: ["spec", "tls"]] == ["passthrough": true])
        #expect(plan.objects[1][path: ["spec", "routes"]]?.arrayValue?.first?["match"] == "HostSNI(`chat.faforever.com`)")
        #expect(plan.objects[2][path: ["spec", "tls"]] == ["certResolver": "default"])
        #expect(plan.objects[3]["spec"] == ["entryPoints": ["voice"], "routes": [["services": [["name": "faf-coturn", "port": 3478]]]]])
        #expect(try await K3sFactsTests.applyAndVerify(playbook, "routes", kube) == [])
        // The traefik step binds the entry points' ports too, and verify checks them.
        #expect(try await K3sFactsTests.applyAndVerify(playbook, "traefik", kube) == [])
    }

    @Test func entryPointsAndRoutesAreValidatedAgainstEachOther() {
        let errors = K3sFactsTests.rejection(Self.playbook(entryPoints: """
                - {name: lobby-qdatastream, port: 8001}
                - {name: web, port: 8080}
                - {name: privileged, port: 443}
                - {name: voice, port: 3478, protocol: UDP}
        """, routes: """
              tcp:
                - {name: lobby, entryPoints: [lobbi], service: faf-python-server, port: 8001}
                - {name: tls-any, entryPoints: [websecure], service: x, port: 1, tls: {passthrough: true}}
              udp:
                - {name: coturn, entryPoints: [websecure], service: faf-coturn, port: 3478}
        """))
        #expect(errors.count == 6, "\(errors)")
        #expect(errors.contains { $0.contains("entryPoints: \"lobby-qdatastream\" must be a port name: at most 15 lower-case letters") })
        #expect(errors.contains { $0.contains("entryPoints: \"web\" is one of the chart's own entry points") })
        #expect(errors.contains { $0.contains("entryPoints: port 443 of \"privileged\" must be 1024-65535") })
        #expect(errors.contains { $0.contains("tcp: entry point \"lobbi\" is not declared by a traefik.acme step (TCP: ") })
        #expect(errors.contains { $0.contains("tcp: route \"tls-any\" has tls but no sni names") })
        #expect(errors.contains { $0.contains("udp: entry point \"websecure\" is TCP, not UDP") })
    }
}

/// The copy of compose data a chart would not read, and valuesSecrets on a v0.16.5 node.
@Suite struct ChartDataAndPruningTests {
    @Test func copyIntoAChartsClaimIsWarnedAbout() throws {
        let text = K3sFactsTests.playbook("""
              - id: volumes
                type: storage.local-volumes
                with:
                  dataRoot: /tank/faf
                  backend: directory
                  nodeSelector: {storage-id: main-01}
                  volumes:
                    - {name: rabbitmq, namespace: faf-apps, size: 1Gi, migrateFrom: /opt/faf-stack/data/faf-rabbitmq}
            """ + "\n" + K3sFactsTests.rabbitmq + "\n      values: {persistence: {existingClaim: rabbitmq-pvc}}\n", disable: "[]")
        let warnings = try K3sFactsTests.check(text).warnings.map(\.description)
        #expect(warnings.contains { $0.contains("values.persistence.existingClaim rabbitmq-pvc is filled from /opt/faf-stack/data/faf-rabbitmq by step \"volumes\"") })
    }

    /// Without a k3s step validation cannot know the helm-controller; a node of k3s v1.31.4
    /// (helm-controller v0.16.5's CRD) refuses spec.valuesSecrets under strict field validation, and
    /// the step fails naming the field instead of installing the chart without its secrets.
    @Test func valuesSecretsOnAV0165NodeFailNamingTheField() async throws {
        let text = """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: faf}
            steps:
            """ + "\n" + K3sFactsTests.rabbitmq + "\n      secretValues: {auth: {password: \"${{ secrets.rabbitmq.admin }}\"}}\n"
        let playbook = try K3sFactsTests.check(text)
        let (server, kube, dir) = try K3sFactsTests.k3sNode(serviceLB: true)
        defer { server.stop(); _ = dir }
        let error = await #expect(throws: (any Error).self) { _ = try await K3sFactsTests.applyAndVerify(playbook, "rabbitmq", kube) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("unknown field \"spec.valuesSecrets\""), "\(String(describing: error))")
        #expect(server.object(apiVersion: "helm.cattle.io/v1", kind: "HelmChart", namespace: "kube-system", name: "rabbitmq") == nil)
    }
}

/// The ServiceLB stand-in: a LoadBalancer Service gets the node's address only while servicelb runs.
@Suite struct ServiceLBStandInTests {
    @Test func loadBalancerServicesGetAnAddressOnlyWithServiceLB() async throws {
        for serviceLB in [true, false] {
            let (server, kube, dir) = try K3sFactsTests.k3sNode(serviceLB: serviceLB)
            defer { server.stop(); _ = dir }
            _ = try await kube.apply(["apiVersion": "v1", "kind": "Service", "metadata": ["name": "lobby", "namespace": "default"],
                                      "spec": ["type": "LoadBalancer", "ports": [["name": "lobby", "port": 8001]]]], dryRun: false)
            let live = try await kube.get(ObjectRef(apiVersion: "v1", kind: "Service", namespace: "default", name: "lobby"))
            let ingress = live?[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? []
            #expect(ingress.isEmpty == !serviceLB, "servicelb \(serviceLB): \(String(describing: live?["status"]))")
        }
    }
}
