import Document
import Foundation
import Testing
import TestSupport

/// What runs inside FAF's containers (issue 25): the playbook before it is refused or warned about
/// for each breakage, with its step and reason; the playbook now passes, keeps every raw TCP
/// client's address and installs RabbitMQ from the repository's own chart on the official image.
@Suite struct FAFContainersTests {
    /// The fixture beside the configuration files it names (playbooks/faf/, unchanged since).
    static func before() throws -> (dir: TemporaryDirectory, playbook: String) {
        let dir = TemporaryDirectory("faf-before-containers")
        try FileManager.default.copyItem(atPath: Paths.playbookFixtures + "/faf-before-containers.yaml", toPath: dir.file("faf.yaml"))
        try FileManager.default.createSymbolicLink(atPath: dir.file("faf"), withDestinationPath: Paths.repository + "/playbooks/faf")
        return (dir, dir.file("faf.yaml"))
    }

    /// Each breakage, as `line:col: severity: step "ID": reason` (the start of the line validate prints).
    static let breakages = [
        // Traefik without limits (FAF's design note: limits for every app).
        "297:9: warning: step \"traefik\": Traefik has no cpu or memory limit",
        // The lobby, IRC and the replay stream behind Traefik: every client is Traefik's pod.
        "446:20: warning: step \"routes\": tcp: the route to faf-apps/faf-python-server hides the clients' addresses",
        "452:20: warning: step \"routes\": tcp: the route to faf-apps/faf-python-server hides the clients' addresses",
        "458:20: warning: step \"routes\": tcp: the route to faf-apps/faf-ircd hides the clients' addresses",
        "464:20: warning: step \"routes\": tcp: the route to faf-apps/faf-ircd hides the clients' addresses",
        "470:20: warning: step \"routes\": tcp: the route to faf-apps/faf-ircd hides the clients' addresses",
        "476:20: warning: step \"routes\": tcp: the route to faf-apps/faf-aio-replayserver hides the clients' addresses",
        // Root-only files for images whose user is not root, or not known.
        "540:17: error: step \"faf-db\": file \"/root/.my.cnf\" mode 0400 is readable only by root, and bootstrap does not know the user of image mariadb:10.6",
        "710:17: error: step \"faf-ircd\": file \"/data/unrealircd/conf/tls/server.key.pem\" mode 0400 is readable only by root",
        "738:17: error: step \"faf-anope\": file \"/anope/conf/services.conf\" mode 0400 cannot be read by the container's user anope (uid 10000, not root;",
        "1003:17: error: step \"faf-ory-hydra\": file \"/hydra.yaml\" mode 0400 cannot be read by the container's user ory (not root;",
        "1091:17: error: step \"nodebb\": file \"/usr/src/app/config.json\" mode 0400 cannot be read by the container's user node (not root;",
        // MariaDB on ZFS without FAF's tuning; the telemetry server at the namespace's 1Gi.
        "545:18: warning: step \"faf-db\": mariadb:10.6 keeps its data on ZFS (claim faf-db-pvc) without innodb_use_native_aio = 0 and innodb_doublewrite = 0",
        "1033:14: warning: step \"faf-telemetry-server\": faforever/faf-telemetry-server:main gets the namespace faf-apps's default memory limit 1Gi, less than the 2Gi it needs",
        // RabbitMQ from Bitnami's temporary repository.
        "929:29: error: step \"faf-rabbitmq\": values.image.repository: bitnamilegacy/rabbitmq comes from bitnamilegacy, which its owner calls temporary",
    ]

    @Test func thePlaybookBeforeIsRefusedOrWarnedAboutForEachBreakage() throws {
        let (dir, playbook) = try Self.before()
        let run = try bootstrap(["validate", playbook, "--secrets", FAFRehearsalTests.secrets])
        #expect(run.status == 65)
        for breakage in Self.breakages {
            #expect(run.stderr.contains(dir.file("faf.yaml") + ":" + breakage), "\(breakage)")
        }
        #expect(run.stderr.contains("19 errors found; nothing was changed"), "the file modes, the bitnamilegacy image and the Deployments that would roll onto one volume or port")
    }

    @Test func thePlaybookPassesTheNewChecks() throws {
        let run = try bootstrap(["validate", FAFRehearsalTests.playbook, "--secrets", FAFRehearsalTests.secrets])
        #expect(run.status == 0, "\(run.stderr)")
        for phrase in ["limit", "hides the clients' addresses", "cannot be read", "readable only by root", "innodb", "temporary", "hostPort"] {
            #expect(!run.stderr.contains(phrase), "\(run.stderr)")
        }
    }

    /// Compose published these on every interface; docker's DNAT kept each client's address.
    static let rawTCP: [String: [Int]] = ["faf-python-server": [8001, 8002], "faf-ircd": [6667, 6697, 8167], "faf-aio-replayserver": [15000]]

    @Test func noRawTCPServiceOfFAFLosesTheClientAddress() throws {
        let objects = try FAFReferenceTests.planned()
        // Nothing carries a client's raw TCP or UDP through Traefik's pod.
        #expect(!objects.contains { ["IngressRouteTCP", "IngressRouteUDP"].contains($0["kind"]?.stringValue ?? "") })
        let traefik = try #require(objects.first { $0["kind"] == "HelmChartConfig" })
        let values = try YAML.parseOne(traefik[path: ["spec", "valuesContent"]]?.stringValue ?? "", file: "valuesContent").resolved
        #expect(Set(values["ports"]?.objectValue?.keys ?? []) == ["web", "websecure"])
        for (name, ports) in Self.rawTCP {
            let deployment = try #require(objects.first { $0["kind"] == "Deployment" && $0[path: ["metadata", "name"]]?.stringValue == name }, "\(name)")
            let container = deployment[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first
            let hostPorts = (container?["ports"]?.arrayValue ?? []).compactMap { $0["hostPort"]?.intValue }
            #expect(hostPorts == ports, "\(name)")
            // On one node a surge pod could not bind them: the old pod stops first.
            #expect(deployment[path: ["spec", "strategy"]] == ["type": "Recreate"], "\(name)")
        }
        // And only those workloads hold node ports.
        let holders = objects.filter { object in
            object[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.contains { ($0["ports"]?.arrayValue ?? []).contains { $0["hostPort"] != nil } } == true
        }
        #expect(Set(holders.compactMap { $0[path: ["metadata", "name"]]?.stringValue }) == Set(Self.rawTCP.keys))
    }

    @Test func rabbitMQComesFromTheRepositorysChartOnTheOfficialImage() throws {
        let objects = try FAFReferenceTests.planned()
        let chart = try #require(objects.first { $0["kind"] == "HelmChart" })
        #expect(chart[path: ["spec", "chart"]] == nil && chart[path: ["spec", "repo"]] == nil)
        let dir = TemporaryDirectory("faf-rabbitmq-chart")
        let content = try #require(chart[path: ["spec", "chartContent"]]?.stringValue)
        try #require(Data(base64Encoded: content)).write(to: URL(fileURLWithPath: dir.file("chart.tgz")))
        let values = try runProcess("/usr/bin/env", ["tar", "-xzOf", dir.file("chart.tgz"), "rabbitmq/values.yaml"])
        #expect(values.stdout == (try String(contentsOfFile: Paths.repository + "/playbooks/charts/rabbitmq/values.yaml", encoding: .utf8)))
        #expect(values.stdout.contains("  repository: rabbitmq\n  tag: 3.13.7-management-alpine\n"))
        // Explicit resources, not a preset.
        let parsed = try YAML.parseOne(values.stdout, file: "values.yaml").resolved
        #expect(parsed[path: ["resources", "limits", "memory"]] == "1Gi" && parsed[path: ["resources", "requests", "cpu"]] == "250m")
        // Nothing the node is told to pull names Bitnami.
        #expect(!objects.contains { JSON.encode($0).lowercased().contains("bitnami") })
        // The definitions come from a Secret the release reads by name.
        let secret = try #require(objects.first { $0["kind"] == "Secret" && $0[path: ["metadata", "name"]] == "rabbitmq-auth" })
        #expect(Set(secret["data"]?.objectValue?.keys ?? []) == ["definitions.json", "erlang-cookie"])
    }
}
