import Document
import Emulator
import Foundation
import Platform
import Testing
import TestSupport

/// `bootstrap verify` on a node that is not a rehearsal: the objects come from an emulator
/// standing in for k3s' API server, the host is a host root with a recording fake `curl` first on
/// PATH (answering as Traefik and RabbitMQ's management API would), and the TCP check connects
/// for real, to loopback only.
@Suite struct VerifyLiveTests {
    static let adminPassword = "s3cret-admin-pw"

    /// The node: an emulator with k3s' CRDs, a kubeconfig for it, a host root and a bin directory.
    final class Node: @unchecked Sendable {
        let dir = TemporaryDirectory()
        let server: EmulatorServer
        let client: EmulatorClient
        var root: String { dir.file("root") }
        var state: String { dir.file("state") }
        var log: String { dir.file("commands.log") }

        init(openPort: Int = 40001, closedPort: Int = 40002) throws {
            server = try EmulatorFixtures.started(crds: true)
            client = EmulatorClient(server)
            try server.writeKubeconfig(to: dir.file("kubeconfig"))
            try FileManager.default.createDirectory(atPath: dir.file("root"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            _ = try dir.write("pb.yaml", Self.playbook(openPort: openPort, closedPort: closedPort))
            _ = try dir.write("secrets.yaml", """
                faf-rabbitmq:
                  COOKIE: cookie-value-1234
                  ADMIN_PASS: \(VerifyLiveTests.adminPassword)
                  API_PASS: api-pw-5678

                """)
            // Traefik's answer per Host (000 and exit 7: nothing answered); the management API's
            // lists, its status, and the curl config it was given on stdin (kept to prove it came).
            _ = try dir.write("bin/curl", """
                #!/bin/bash
                echo "curl $*" >> \(log)
                url="${@: -1}"
                case "$url" in
                http://*/api/*)
                  what="${url##*/api/}"
                  cat > \(state)/stdin-$what
                  status=$(cat \(state)/broker-status 2>/dev/null || echo 200)
                  if [ "$status" = 200 ]; then cat \(state)/broker-$what; fi
                  printf '\\n%s' "$status";;
                https://*)
                  host="${url#https://}"; host="${host%/}"
                  code=$(awk -v h="$host" '$1==h {print $2}' \(state)/codes 2>/dev/null)
                  if [ -z "$code" ]; then printf 000; exit 7; fi
                  printf '%s' "$code";;
                esac

                """, mode: 0o755)
            try seed()
        }

        deinit { server.stop() }

        static func playbook(openPort: Int, closedPort: Int) -> String {
            """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: live}
            steps:
              - id: traefik
                type: traefik.acme
                with:
                  email: ops@faforever.com
                  challenge: tls
                  storage: {claim: traefik-acme-pvc}
                  entryPoints:
                    - {name: tcp-open, port: \(openPort)}
                    - {name: tcp-closed, port: \(closedPort)}
              - id: namespaces
                type: kube.namespaces
                with: {names: [apps]}
              - id: faf-rabbitmq
                type: helm.chart
                needs: [namespaces]
                with:
                  name: faf-rabbitmq
                  chart: rabbitmq
                  repo: https://charts.faforever.com
                  version: 1.0.0
                  targetNamespace: apps
                  secrets:
                    - name: rabbitmq-auth
                      data:
                        erlang-cookie: "${{ secrets.faf-rabbitmq.COOKIE }}"
                        definitions.json: |
                          {"vhosts": [{"name": "/"}, {"name": "/faf-core"}],
                           "users": [{"name": "admin", "password": "${{ secrets.faf-rabbitmq.ADMIN_PASS }}", "tags": "administrator"},
                                     {"name": "faf-java-api", "password": "${{ secrets.faf-rabbitmq.API_PASS }}", "tags": ""}]}

            """
        }

        static let managed: Value = ["app.kubernetes.io/managed-by": "bootstrap"]

        /// What a migrated node runs: a ready Deployment mounting a Bound claim, a claim no pod
        /// mounts, the broker's Service as Helm labels it, and nothing the tests make fail yet.
        func seed() throws {
            try put("/api/v1/namespaces/apps", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "apps"]])
            for (name, path) in [("data", "/srv/data"), ("idle", "/srv/idle")] {
                try put("/api/v1/persistentvolumes/\(name)", [
                    "apiVersion": "v1", "kind": "PersistentVolume", "metadata": ["name": .string(name)],
                    "spec": ["capacity": ["storage": "1Gi"], "accessModes": ["ReadWriteOnce"], "local": ["path": .string(path)],
                             "claimRef": ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": "apps", "name": .string("\(name)-pvc")]],
                ])
                try claim("\(name)-pvc", volume: name)
            }
            try deployment("web", image: "web:1", claim: "data-pvc")
            try put("/api/v1/namespaces/apps/services/faf-rabbitmq", [
                "apiVersion": "v1", "kind": "Service",
                "metadata": ["name": "faf-rabbitmq", "namespace": "apps",
                             "annotations": ["meta.helm.sh/release-name": "faf-rabbitmq", "meta.helm.sh/release-namespace": "apps"]],
                "spec": ["selector": ["app": "faf-rabbitmq"], "ports": [["name": "amqp", "port": 5672], ["name": "management", "port": 15672]]],
            ])
        }

        func put(_ path: String, _ object: Value) throws {
            let response = try client.apply(path, object)
            #expect(response.status < 300, "\(path): \(response.body)")
        }

        func claim(_ name: String, volume: String) throws {
            try put("/api/v1/namespaces/apps/persistentvolumeclaims/\(name)", [
                "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": .string(name), "namespace": "apps", "labels": Self.managed],
                "spec": ["accessModes": ["ReadWriteOnce"], "volumeName": .string(volume), "resources": ["requests": ["storage": "1Gi"]]],
            ])
        }

        func deployment(_ name: String, image: String, claim: String? = nil) throws {
            var spec: Value = ["containers": [["name": "main", "image": .string(image)]]]
            if let claim { spec["volumes"] = [["name": "data", "persistentVolumeClaim": ["claimName": .string(claim)]]] }
            try put("/apis/apps/v1/namespaces/apps/deployments/\(name)", [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": "apps", "labels": Self.managed],
                "spec": ["replicas": 1, "selector": ["matchLabels": ["app": .string(name)]],
                         "template": ["metadata": ["labels": ["app": .string(name)]], "spec": spec]],
            ])
        }

        func route(_ hosts: [String]) throws {
            try put("/apis/traefik.io/v1alpha1/namespaces/apps/ingressroutes/web", [
                "apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": ["name": "web", "namespace": "apps", "labels": Self.managed],
                "spec": ["entryPoints": ["websecure"], "routes": .array(hosts.map { host in
                    ["match": .string("Host(`\(host)`)"), "kind": "Rule", "services": [["name": "web", "port": 80]]]
                })],
            ])
        }

        func verify(json: Bool = false) throws -> ProcessResult {
            try bootstrap(["verify", dir.file("pb.yaml"), "--secrets", dir.file("secrets.yaml"), "--kubeconfig", dir.file("kubeconfig"),
                           "--host-root", root] + (json ? ["--output", "json"] : []),
                          environment: ["PATH": dir.file("bin") + ":/usr/bin:/bin", "HOME": dir.path])
        }

        var commands: [String] { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        /// The outcome and detail of the check of this kind and target, from verify's JSON.
        static func outcome(_ result: ProcessResult, _ kind: String, _ target: String) -> (String, String)? {
            let checks = (try? JSON.decode(result.stdout))?["checks"]?.arrayValue ?? []
            return checks.first { $0["check"]?.stringValue == kind && $0["target"]?.stringValue == target }.map {
                ($0["outcome"]?.stringValue ?? "", $0["detail"]?.stringValue ?? "")
            }
        }
    }

    /// The table row of a check, as printed (columns split on runs of spaces).
    static func row(_ result: ProcessResult, _ kind: String, _ target: String) -> [String]? {
        result.stdout.split(separator: "\n").map { $0.split(separator: "  ").map { $0.trimming(.whitespace) }.filter { !$0.isEmpty } }
            .first { $0.count >= 3 && $0[0] == kind && $0[1] == target }
    }

    @Test func aWorkloadNotReadyAndAClaimNotBoundOrNotMountedFailVerifyByName() throws {
        let node = try Node()
        node.server.failImage("stuck:1", .unready)
        try node.deployment("stuck", image: "stuck:1")
        try node.claim("orphan-pvc", volume: "missing")

        let text = try node.verify()
        #expect(text.status == 1, "\(text.output)")
        #expect(Self.row(text, "workload ready", "Deployment apps/web") == ["workload ready", "Deployment apps/web", "passed", "1/1 ready"], "\(text.stdout)")
        #expect(Self.row(text, "workload ready", "Deployment apps/stuck") == ["workload ready", "Deployment apps/stuck", "failed", "0/1 ready"], "\(text.stdout)")
        #expect(Self.row(text, "claim Bound", "apps/orphan-pvc")?[2...] == ["failed", "Pending"], "\(text.stdout)")
        #expect(Self.row(text, "claim Bound", "apps/idle-pvc")?[2] == "passed", "\(text.stdout)")
        // Bound is not enough: no Running pod mounts idle-pvc; web's pod mounts data-pvc.
        #expect(Self.row(text, "claim mounted", "apps/idle-pvc")?[2...] == ["failed", "no Running pod mounts it"], "\(text.stdout)")
        let mounted = try #require(Self.row(text, "claim mounted", "apps/data-pvc"), "\(text.stdout)")
        #expect(mounted[2] == "passed" && mounted[3].hasPrefix("by web-"), "\(mounted)")
        #expect(text.stdout.contains(" checks passed"), "\(text.stdout)")
        // The run's own log says the same.
        let logs = try FileManager.default.contentsOfDirectory(atPath: node.root + "/var/log/bootstrap")
        #expect(logs.count == 1)
        let logged = try String(contentsOfFile: node.root + "/var/log/bootstrap/" + logs[0], encoding: .utf8)
        #expect(logged.contains("Deployment apps/stuck"))

        let json = try node.verify(json: true)
        #expect(json.status == 1, "\(json.output)")
        #expect((try? JSON.decode(json.stdout))?["passed"] == .bool(false), "\(json.stdout)")
        #expect(Node.outcome(json, "workload ready", "Deployment apps/stuck")?.0 == "failed")
        #expect(Node.outcome(json, "claim Bound", "apps/orphan-pvc")?.0 == "failed")
        #expect(Node.outcome(json, "claim mounted", "apps/idle-pvc")?.0 == "failed")
        #expect(Node.outcome(json, "workload ready", "Deployment apps/web")?.0 == "passed")
    }

    @Test func aRouteAnswersThroughTraefikWithItsHostUnless404Or502Or503() throws {
        let node = try Node()
        let codes = [("bad-gateway.faforever.com", 502), ("not-found.faforever.com", 404), ("unavailable.faforever.com", 503),
                     ("ok.faforever.com", 200), ("moved.faforever.com", 301), ("login.faforever.com", 401)]
        try node.route(codes.map(\.0) + ["silent.faforever.com"])
        _ = try node.dir.write("state/codes", codes.map { "\($0.0) \($0.1)\n" }.joined())

        let result = try node.verify(json: true)
        #expect(result.status == 1, "\(result.output)")
        for (host, code) in codes {
            let outcome = try #require(Node.outcome(result, "route answers", host), "\(host) in \(result.stdout)")
            #expect(outcome.0 == ([404, 502, 503].contains(code) ? "failed" : "passed"), "\(host): \(outcome)")
            #expect(outcome.1 == "HTTP \(code)")
            // Through Traefik on the node's 443, with the route's Host as SNI and header.
            #expect(node.commands.contains { $0.contains("--resolve \(host):443:127.0.0.1") && $0.hasSuffix("https://\(host)/") },
                    "\(host): \(node.commands)")
        }
        #expect(Node.outcome(result, "route answers", "silent.faforever.com")?.0 == "failed")
        #expect(Node.outcome(result, "route answers", "silent.faforever.com")?.1 == "no answer (curl exit 7)")
    }

    @Test func aPortPassesOnlyWhenSomethingAcceptsOnLoopback() throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        // A port nothing listens on: one the kernel handed out and that was closed again.
        let closed = try TCPListener(host: "127.0.0.1", port: 0)
        let closedPort = closed.port
        closed.close()
        let node = try Node(openPort: listener.port, closedPort: closedPort)

        let result = try node.verify()
        #expect(result.status == 1, "\(result.output)")
        #expect(Self.row(result, "port accepts", "127.0.0.1:\(listener.port) (Traefik entry point tcp-open)")?[2...] == ["passed", "connected"],
                "\(result.stdout)")
        #expect(Self.row(result, "port accepts", "127.0.0.1:\(closedPort) (Traefik entry point tcp-closed)")?[2...] == ["failed", "refused"],
                "\(result.stdout)")
    }

    @Test func rabbitMQVhostsAndUsersAreAskedAsTheAdministratorAndThePasswordNeverShows() throws {
        let node = try Node()
        // The broker lists every user but not the vhost /faf-core.
        _ = try node.dir.write("state/broker-vhosts", #"[{"name": "/"}, {"name": "/faf-other"}]"#)
        _ = try node.dir.write("state/broker-users", #"[{"name": "admin", "tags": ["administrator"]}, {"name": "faf-java-api", "tags": []}]"#)

        let result = try node.verify()
        #expect(result.status == 1, "\(result.output)")
        #expect(Self.row(result, "RabbitMQ vhost", "apps/faf-rabbitmq /")?[2] == "passed", "\(result.stdout)")
        #expect(Self.row(result, "RabbitMQ vhost", "apps/faf-rabbitmq /faf-core")?[2...] == ["failed", "missing from GET /api/vhosts"], "\(result.stdout)")
        #expect(Self.row(result, "RabbitMQ user", "apps/faf-rabbitmq admin")?[2] == "passed", "\(result.stdout)")
        #expect(Self.row(result, "RabbitMQ user", "apps/faf-rabbitmq faf-java-api")?[2] == "passed", "\(result.stdout)")
        // Asked at the release's Service's cluster IP on the management port, as the administrator,
        // whose login reached curl on its standard input only.
        let clusterIP = try #require(node.server.object(apiVersion: "v1", kind: "Service", namespace: "apps", name: "faf-rabbitmq")?[path: ["spec", "clusterIP"]]?.stringValue)
        #expect(node.commands.contains { $0.hasSuffix("http://\(clusterIP):15672/api/vhosts") }, "\(node.commands)")
        #expect(try String(contentsOfFile: node.state + "/stdin-users", encoding: .utf8) == "user = \"admin:\(Self.adminPassword)\"\n")

        // A refused login fails the broker, still without the password anywhere.
        _ = try node.dir.write("state/broker-status", "401")
        let refused = try node.verify(json: true)
        #expect(refused.status == 1)
        #expect(Node.outcome(refused, "RabbitMQ broker", "apps/faf-rabbitmq")?.1
                == "the management API refused the login of admin, the definition's administrator (HTTP 401)", "\(refused.stdout)")

        let logs = try FileManager.default.contentsOfDirectory(atPath: node.root + "/var/log/bootstrap").map {
            try String(contentsOfFile: node.root + "/var/log/bootstrap/" + $0, encoding: .utf8)
        }
        #expect(logs.count == 2)
        // Not masked: never written. The output has no "(sensitive)" because no secret reached it.
        for text in [result.output, refused.output] + logs + node.commands {
            #expect(!text.contains(Self.adminPassword), "\(text)")
            #expect(!text.contains("(sensitive)"), "\(text)")
        }
    }

    @Test func aRehearsalSaysTheBrokerCheckIsSimulated() throws {
        let node = try Node()
        let dir = node.dir
        let applied = try bootstrap(["apply", dir.file("pb.yaml"), "--secrets", dir.file("secrets.yaml"), "--rehearsal", dir.file("r")],
                                    environment: ["PATH": dir.file("bin") + ":/usr/bin:/bin", "HOME": dir.path])
        #expect(applied.status == 0, "\(applied.output)")
        let verified = try bootstrap(["verify", dir.file("pb.yaml"), "--secrets", dir.file("secrets.yaml"), "--rehearsal", dir.file("r")],
                                     environment: ["PATH": dir.file("bin") + ":/usr/bin:/bin", "HOME": dir.path])
        #expect(verified.status == 0, "\(verified.output)")
        for target in ["apps/faf-rabbitmq /", "apps/faf-rabbitmq /faf-core"] {
            #expect(Self.row(verified, "RabbitMQ vhost", target)?[2...] == ["simulated", "rehearsal: no broker runs"], "\(verified.stdout)")
        }
        #expect(Self.row(verified, "RabbitMQ user", "apps/faf-rabbitmq faf-java-api")?[2] == "simulated", "\(verified.stdout)")
        #expect(node.commands.isEmpty, "a rehearsal asks no broker: \(node.commands)")
    }
}
