import Document
import Engine
import Foundation
import Host
import Playbook
@testable import Steps
import Testing
import TestSupport

/// What runs inside the containers (issue 25): files their user can read, host ports that keep the
/// clients' addresses and replace the pod with Recreate, no image from a repository its owner calls
/// temporary, a chart kept beside the playbook, and the tuning FAF's own deployment has.
@Suite struct ContainerRulesTests {
    static let secrets = Secrets(file: "secrets.yaml", root: ["app": .branch(["key": .leaf(Sensitive("key-text-4e1d"))])])

    /// k3s, a namespace with default limits, ZFS volumes, Traefik binding 80/443 and one entry
    /// point on the node; then `steps`.
    static func playbook(_ steps: String, traefikValues: String = "{resources: {limits: {cpu: \"1\", memory: 512Mi}}}") -> String {
        """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: faf}
        steps:
          - id: k3s
            type: k3s.install
            with:
              version: v1.31.4+k3s1
              nodeName: node-1
              nodeLabels: {storage-id: main-01}
              disable: [servicelb]
              installer: {file: /root/k3s-install.sh}
          - id: namespaces
            type: kube.namespaces
            needs: [k3s]
            with:
              names: [apps]
              defaultResources: {limits: {cpu: "1", memory: 1Gi}}
          - id: volumes
            type: storage.local-volumes
            needs: [namespaces]
            with:
              dataRoot: /tank/faf
              dataset: tank/faf
              nodeSelector: {storage-id: main-01}
              volumes:
                - {name: db, namespace: apps, size: 1Gi}
                - {name: traefik-acme, namespace: kube-system, size: 128Mi, owner: "65532:65532", mode: "0700"}
          - id: traefik
            type: traefik.acme
            needs: [volumes]
            with:
              email: admin@faforever.com
              challenge: tls
              storage: {claim: traefik-acme-pvc}
              bind: hostPort
              entryPoints: [{name: tcp-7000, port: 7000}]
              values: \(traefikValues)

        """ + steps
    }

    /// The parameters of step `id`, as its driver reads them.
    static func parameters(_ checked: CheckedPlaybook, _ id: String) throws -> AppWorkload.Parameters {
        let step = try #require(checked.steps[id])
        return try #require(ParameterDecoder.decode(AppWorkload.Parameters.self, from: step.parameters, stepID: id, fallback: nil).0)
    }

    static func check(_ text: String) throws(Diagnostics) -> CheckedPlaybook {
        try CheckedPlaybook.check(PlaybookLoader.parse(text, file: "faf.yaml"), secrets: secrets, registry: StepCatalog.registry)
    }

    /// Every diagnostic of a playbook (errors and warnings), as printed; [] when it is accepted without a word.
    static func diagnostics(_ text: String) -> [String] {
        do { return try check(text).warnings.map(\.description) } catch { return error.items.map(\.description) }
    }

    static func workload(_ name: String, image: String, _ extra: String) -> String {
        """
          - id: \(name)
            type: app.workload
            needs: [namespaces, volumes]
            with:
              name: \(name)
              namespace: apps
              image: \(image)
        \(extra)

        """
    }

    // MARK: - Files the container's user can read

    @Test func aTightModeIsRefusedUnlessTheReaderIsKnownToGetIn() {
        let hydra = Self.workload("hydra", image: "oryd/hydra:v1.11.10", """
                  files: {/hydra.yaml: {secret: "${{ secrets.app.key }}", mode: "0400"}}
            """)
        #expect(Self.diagnostics(Self.playbook(hydra)) == [
            "faf.yaml:46:69: error: step \"hydra\": file \"/hydra.yaml\" mode 0400 cannot be read by the container's user ory (not root; "
                + "ory/hydra v1.11.10 .docker/Dockerfile-alpine line 13 (USER ory; lines 3-4: addgroup -S ory; adduser -S ory -G ory)): "
                + "the file is root's; use 0444, or set user: \"UID:GID\" and mode 0440 (the pod's fsGroup is then GID)",
        ])
        let unknown = Self.workload("irc", image: "faforever/faf-unrealircd:5.2.4", """
                  files: {/tls/server.key.pem: {secret: "${{ secrets.app.key }}", mode: "0440"}}
            """)
        #expect(Self.diagnostics(Self.playbook(unknown)).first?.contains("mode 0440 is readable only by root, and bootstrap does not know the user of image faforever/faf-unrealircd:5.2.4") == true)
        // A known reader: root, or a user whose group is the pod's fsGroup.
        for (image, user, mode) in [("faforever/faf-unrealircd:5.2.4", "\"0\"", "0400"), ("oryd/hydra:v1.11.10", "\"100:101\"", "0440"),
                                    ("rabbitmq:3.13.7-management-alpine", "null", "0400"), ("anope/anope:2.0.10", "null", "0444")] {
            let accepted = Self.workload("app", image: image, """
                      user: \(user)
                      files: {/conf/file: {secret: "${{ secrets.app.key }}", mode: "\(mode)"}}
                """)
            #expect(Self.diagnostics(Self.playbook(accepted)) == [], "\(image) \(user) \(mode)")
        }
    }

    @Test func filesWithoutAModeAreReadableByAnyUserAndAGroupModeGetsTheFsGroup() throws {
        let text = Self.playbook(Self.workload("forum", image: "nodebb/docker:1.18.5", """
                  files:
                    /usr/src/app/config.json: {secret: "${{ secrets.app.key }}"}
                    /usr/src/app/motd.txt: {content: "welcome"}
            """) + Self.workload("login", image: "oryd/hydra:v1.11.10", """
                  user: "100:101"
                  files: {/hydra.yaml: {secret: "${{ secrets.app.key }}", mode: "0440"}}
            """))
        let checked = try Self.check(text)
        func pod(_ id: String) throws -> Value {
            AppWorkload(id: id, parameters: try Self.parameters(checked, id)).podTemplate(checksum: "x")["spec"] ?? .null
        }
        let forum = try pod("forum")
        // Secret files 0444 (the write bit means nothing on a read-only volume), ConfigMap files Kubernetes' 0644.
        #expect(forum["volumes"]?.arrayValue?.first { $0["name"] == "secret" }?[path: ["secret", "defaultMode"]] == .int(0o444))
        #expect(forum["volumes"]?.arrayValue?.first { $0["name"] == "config" }?[path: ["configMap", "defaultMode"]] == nil)
        #expect(forum["securityContext"] == nil)
        let login = try pod("login")
        #expect(login["securityContext"] == ["runAsUser": 100, "runAsNonRoot": true, "runAsGroup": 101, "fsGroup": 101])
        #expect(login["volumes"]?.arrayValue?.first { $0["name"] == "secret" }?[path: ["secret", "items", "0", "mode"]] == nil
            || login["volumes"]?.arrayValue?.first { $0["name"] == "secret" }?[path: ["secret", "items"]]?.arrayValue?.first?["mode"] == .int(0o440))
    }

    // MARK: - Host ports

    @Test func aHostPortIsBoundByThePodAndItsDeploymentIsRecreated() throws {
        let text = Self.playbook(Self.workload("lobby", image: "faforever/faf-python-server:v1.12.9", """
                  ports: [{name: tcp-8001, port: 8001, hostPort: 8001}, {name: tcp-4000, port: 4000}]
                  strategy: Recreate
            """) + Self.workload("web", image: "nginx:1.20", """
                  ports: [{name: http, port: 80}]
            """))
        let checked = try Self.check(text)
        func objects(_ id: String) throws -> Value {
            AppWorkload(id: id, parameters: try Self.parameters(checked, id)).workload(checksum: "x")
        }
        let lobby = try objects("lobby")
        #expect(lobby[path: ["spec", "template", "spec", "containers", "0", "ports"]] == nil)
        let ports = lobby["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["ports"]
        #expect(ports == [["name": "tcp-8001", "containerPort": 8001, "protocol": "TCP", "hostPort": 8001],
                          ["name": "tcp-4000", "containerPort": 4000, "protocol": "TCP"]])
        // A surge pod could not bind 8001 while the old one holds it: the old one goes first.
        #expect(lobby[path: ["spec", "strategy"]] == ["type": "Recreate"])
        #expect(AppWorkload(id: "lobby", parameters: try Self.parameters(checked, "lobby")).recreateReasons == ["host port 8001: a second pod cannot bind it while the first runs"])
        // Without one, Kubernetes' RollingUpdate, written out so that bootstrap owns its defaults and
        // a later Recreate can drop them.
        #expect(try objects("web")[path: ["spec", "strategy"]] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
    }

    @Test func aHostPortHasOneOwnerInThePlaybookTraefikIncluded() {
        let text = Self.playbook(Self.workload("irc", image: "faforever/faf-unrealircd:5.2.4", """
                  ports: [{name: tcp-6667, port: 6667, hostPort: 6667}, {name: tls, port: 6697, hostPort: 443}, {name: alt, port: 7000, hostPort: 7000}]
                  strategy: Recreate
            """) + Self.workload("bot", image: "faforever/faf-qai:v1.1", """
                  strategy: Recreate
                  replicas: 2
                  ports: [{name: tcp-6667, port: 6667, hostPort: 6667}, {name: udp-6667, port: 6668, hostPort: 6667, protocol: UDP}]
            """))
        #expect(Self.diagnostics(text) == [
            "faf.yaml:46:54: error: step \"irc\": hostPort 6667/TCP is bound by port tcp-6667 of step \"bot\" too: a node port has one owner",
            "faf.yaml:46:95: error: step \"irc\": hostPort 443/TCP is bound by Traefik's entry point websecure (step \"traefik\") too: a node port has one owner",
            "faf.yaml:46:135: error: step \"irc\": hostPort 7000/TCP is bound by Traefik's entry point tcp-7000 (step \"traefik\") too: a node port has one owner",
            "faf.yaml:57:54: error: step \"bot\": hostPort 6667/TCP is bound by port tcp-6667 of step \"irc\" too: a node port has one owner",
            "faf.yaml:57:54: error: step \"bot\": hostPort 6667 with 2 replicas: on one node only one pod can bind it, the others stay Pending",
            "faf.yaml:57:100: error: step \"bot\": hostPort 6667 with 2 replicas: on one node only one pod can bind it, the others stay Pending",
        ])
    }

    @Test func aTCPRouteToAWorkloadIsWarnedAboutUnlessItSendsTheProxyProtocol() {
        let routes = """
              - id: routes
                type: traefik.routes
                needs: [traefik, namespaces]
                with:
                  namespace: apps
                  routes: []
                  tcp:
                    - {name: irc, entryPoints: [tcp-7000], service: irc, port: 6667}
                    - {name: irc-proxied, entryPoints: [tcp-7000], service: irc, port: 6667, proxyProtocol: 2}

            """
        let text = Self.playbook(routes + Self.workload("irc", image: "faforever/faf-unrealircd:5.2.4", """
                  ports: [{name: tcp-6667, port: 6667}]
            """))
        #expect(Self.diagnostics(text) == [
            "faf.yaml:46:57: warning: step \"routes\": tcp: the route to apps/irc hides the clients' addresses: the workload sees every client as "
                + "Traefik's pod; give the workload's port a hostPort (step \"irc\", ports[].hostPort) and drop this route, or set proxyProtocol "
                + "if faforever/faf-unrealircd:5.2.4 reads the PROXY protocol",
        ])
    }

    // MARK: - Images and charts

    @Test func anImageFromARepositoryItsOwnerCallsTemporaryIsRefused() {
        let text = Self.playbook(Self.workload("mq", image: "bitnamilegacy/rabbitmq:3.13.7-debian-12-r0", "") + """
              - id: broker
                type: helm.chart
                needs: [namespaces]
                with:
                  name: broker
                  chart: oci://registry-1.docker.io/bitnamicharts/rabbitmq
                  version: 14.6.10
                  targetNamespace: apps
                  values: {image: {registry: docker.io, repository: bitnamilegacy/rabbitmq}}

            """)
        let found = Self.diagnostics(text)
        #expect(found.count == 2)
        #expect(found.first?.hasPrefix("faf.yaml:45:14: error: step \"mq\": image bitnamilegacy/rabbitmq:3.13.7-debian-12-r0 comes from bitnamilegacy, "
            + "which its owner calls temporary: Bitnami's legacy repository \"will receive no further updates or support and should only be used "
            + "for temporary migration purposes\" (bitnami/containers#83267)") == true)
        #expect(found.last?.hasPrefix("faf.yaml:55:57: error: step \"broker\": values.image.repository: bitnamilegacy/rabbitmq comes from bitnamilegacy") == true)
    }

    @Test func aChartBesideThePlaybookIsSentWholeAsChartContent() async throws {
        let dir = TemporaryDirectory("local-chart")
        try dir.write("charts/mq/Chart.yaml", "apiVersion: v2\nname: mq\nversion: 1.2.3\n", mode: 0o644)
        try dir.write("charts/mq/values.yaml", "replicas: 1\n", mode: 0o644)
        try dir.write("charts/mq/templates/service.yaml", "kind: Service\nmetadata: {name: {{ .Release.Name }}}\n", mode: 0o644)
        let step = { (version: String) in """
              - id: broker
                type: helm.chart
                needs: [namespaces]
                with:
                  name: broker
                  chartDirectory: charts/mq
                  version: \(version)
                  targetNamespace: apps

            """ }
        try dir.write("faf.yaml", Self.playbook(step("1.2.3")), mode: 0o644)
        let checked = try CheckedPlaybook.load(path: dir.file("faf.yaml"), secrets: Self.secrets, registry: StepCatalog.registry)
        let plan = try await checked.steps["broker"]!.driver.check(stepContext("broker", mode: .plan, host: LocalHost(), timeout: .seconds(1)))
        let chart = try #require(plan.objects.first { $0["kind"] == "HelmChart" })
        #expect(chart[path: ["spec", "chart"]] == nil)
        #expect(chart[path: ["spec", "version"]] == "1.2.3")
        // What helm-controller hands klipper-helm: a .tgz that tar reads, every file under mq/.
        let content = try #require(chart[path: ["spec", "chartContent"]]?.stringValue)
        let archive = try #require(Data(base64Encoded: content))
        try archive.write(to: URL(fileURLWithPath: dir.file("mq.tgz")))
        let listing = try runProcess("/usr/bin/env", ["tar", "-tzf", dir.file("mq.tgz")])
        #expect(listing.status == 0, "\(listing.stderr)")
        #expect(listing.stdout == "mq/Chart.yaml\nmq/templates/service.yaml\nmq/values.yaml\n")
        let extracted = try runProcess("/usr/bin/env", ["tar", "-xzOf", dir.file("mq.tgz"), "mq/templates/service.yaml"])
        #expect(extracted.stdout == "kind: Service\nmetadata: {name: {{ .Release.Name }}}\n")
        // The same files give the same bytes: a re-run changes nothing.
        #expect(ChartArchive.tgz(root: "mq", files: [("a", [1, 2])]) == ChartArchive.tgz(root: "mq", files: [("a", [1, 2])]))

        try dir.write("faf.yaml", Self.playbook(step("1.2.4")), mode: 0o644)
        do {
            _ = try CheckedPlaybook.load(path: dir.file("faf.yaml"), secrets: Self.secrets, registry: StepCatalog.registry)
            Issue.record("accepted")
        } catch {
            #expect(error.items.map(\.description).contains { $0.contains("error: step \"broker\": version 1.2.4 is not the version of chart mq in charts/mq/Chart.yaml (1.2.3)") })
        }
    }

    // MARK: - Tuning

    @Test func mariaDBOnZFSWithoutFAFsTuningTraefikWithoutLimitsAndAShortMemoryLimitAreWarnedAbout() {
        let db = """
              volumes: [{claim: db-pvc, mountPath: /var/lib/mysql}]
              strategy: Recreate
        """
        let telemetry = Self.workload("telemetry", image: "faforever/faf-telemetry-server:main", "")
        let warned = Self.diagnostics(Self.playbook(Self.workload("db", image: "mariadb:10.6", db) + telemetry, traefikValues: "{}"))
        #expect(warned.count == 3, "\(warned)")
        #expect(warned.contains { $0.contains("warning: step \"traefik\": Traefik has no cpu or memory limit: set values.resources.limits") })
        #expect(warned.contains { $0.contains("warning: step \"db\": mariadb:10.6 keeps its data on ZFS (claim db-pvc) without innodb_use_native_aio = 0 and innodb_doublewrite = 0") })
        #expect(warned.contains { $0.contains("warning: step \"telemetry\": faforever/faf-telemetry-server:main gets the namespace apps's default memory limit 1Gi, less than the 2Gi it needs") })

        let tuned = Self.workload("db", image: "mariadb:10.6", db + """

                  files: {/etc/mysql/mariadb.conf.d/zfs.cnf: {content: "[mariadb]\\ninnodb_use_native_aio = 0\\ninnodb_doublewrite    = 0\\n"}}
            """) + Self.workload("telemetry", image: "faforever/faf-telemetry-server:main", """
                  resources: {limits: {memory: 2Gi}}
            """)
        #expect(Self.diagnostics(Self.playbook(tuned)) == [])
        let byArgs = Self.workload("db", image: "mariadb:10.6", db + """

                  args: ["--innodb-use-native-aio=0", "--innodb_doublewrite=OFF"]
            """)
        #expect(Self.diagnostics(Self.playbook(byArgs)) == [])
    }
}
