import Document
import Foundation
import Testing
import TestSupport

/// `bootstrap kubeconfig`: what a maintainer gets to log in with, as kubectl reads it.
@Suite struct KubeconfigCommandTests {
    static let faf = Paths.repository + "/playbooks/faf.yaml"
    static let minimal = Paths.repository + "/playbooks/examples/minimal.yaml"
    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIBdTCCARugAwIBAgIUdGVzdA==\n-----END CERTIFICATE-----\n"

    /// A node root with the kubeconfig k3s writes: its CA, its loopback server.
    func node(_ dir: TemporaryDirectory) throws -> String {
        try dir.write("node/etc/rancher/k3s/k3s.yaml", """
            apiVersion: v1
            kind: Config
            clusters:
            - name: default
              cluster:
                certificate-authority-data: \(Data(Self.caPEM.utf8).base64EncodedString())
                server: https://127.0.0.1:6443
            contexts:
            - {name: default, context: {cluster: default, user: default}}
            current-context: default
            users:
            - {name: default, user: {token: node-admin-token}}

            """)
        return dir.file("node")
    }

    @Test func writesAKubeconfigKubectlReadsWithAnOIDCExecLogin() throws {
        let dir = TemporaryDirectory()
        let root = try node(dir)
        let out = dir.file("alice.yaml")
        let result = try bootstrap(["kubeconfig", Self.faf, "--secrets", Paths.repository + "/secrets.example",
                                    "--user", "alice", "--host-root", root, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(!text.contains("node-admin-token"), "the node's admin credentials never reach a person's kubeconfig")
        #expect((try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int) == 0o600)

        let kubectl = try #require(EmulatorKubectl.executable, "kubectl is not installed; scripts/test installs it")
        // A `kubectl` first on PATH that refuses to log in, so nothing tries a real OIDC login.
        try dir.write("fake/kubectl", "#!/bin/sh\necho 'no login in tests' >&2\nexit 1\n", mode: 0o755)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = dir.file("fake") + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let view = try runProcess(kubectl, ["config", "view", "--raw", "--kubeconfig", out, "-o", "json"], environment: environment)
        #expect(view.status == 0, "\(view.stderr)")
        let config = try JSON.decode(view.stdout)
        #expect(config["current-context"] == "alice@k8s.faforever.com")
        let cluster = config["clusters"]?.arrayValue?.first?["cluster"]
        #expect(cluster?["server"] == "https://k8s.faforever.com:6443")
        #expect(cluster?["certificate-authority-data"]?.stringValue == Data(Self.caPEM.utf8).base64EncodedString())
        let exec = config["users"]?.arrayValue?.first?["user"]?["exec"]
        #expect(config["users"]?.arrayValue?.first?["name"] == "alice")
        #expect(exec?["apiVersion"] == "client.authentication.k8s.io/v1")
        #expect(exec?["command"] == "kubectl")
        #expect(exec?["args"] == ["oidc-login", "get-token", "--oidc-issuer-url=https://hydra.faforever.com/", "--oidc-client-id=kubernetes"])
    }

    @Test func refusesAPlaybookWithoutOIDC() throws {
        let dir = TemporaryDirectory()
        let result = try bootstrap(["kubeconfig", Self.minimal, "--user", "alice", "--host-root", try node(dir)])
        #expect(result.status == 65)
        #expect(result.stderr.contains("error: the playbook sets no OIDC login"))
        #expect(result.stdout.isEmpty)
    }

    /// A FAF rehearsal's simulated k3s has a CA and the kubeconfig k3s writes, so `kubeconfig
    /// --rehearsal` writes what it writes on the node; its CA is the one the simulated API server's
    /// certificate verifies against, for the playbook's public name, and no other CA is.
    @Test(.enabled(if: TLSFixture.openssl != nil, "openssl CLI not found on PATH"))
    func aRehearsalsKubeconfigTrustsItsSimulatedServer() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("faf")
        let applied = try bootstrap(["apply", Self.faf, "--secrets", Paths.repository + "/secrets.example", "--rehearsal", rehearsal])
        try #require(applied.status == 0, "\(applied.output)")
        let out = dir.file("alice.yaml")
        let result = try bootstrap(["kubeconfig", Self.faf, "--user", "alice", "--rehearsal", rehearsal, "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let config = try YAML.parseOne(text, file: out)
        let cluster = config["clusters"]?.sequence?.first?["cluster"]
        #expect(cluster?["server"]?.scalarText == "https://k8s.faforever.com:6443", "the public name and k3s' port, as on the node")
        let exec = config["users"]?.sequence?.first?["user"]?["exec"]
        #expect(exec?["command"]?.scalarText == "kubectl", "an OIDC login through kubelogin, as on the node")
        let caData = try #require(cluster?["certificate-authority-data"]?.scalarText)
        let ca = try #require(Data(base64Encoded: caData))
        let k3sCA = try #require(FileManager.default.contents(atPath: rehearsal + "/host/var/lib/rancher/k3s/server/tls/server-ca.crt"))
        #expect(ca == k3sCA, "the CA is the one the simulated k3s keeps at k3s' path")
        // The admin's credentials and the playbook's secrets stay out of a person's kubeconfig.
        for secret in ["client-key-data", "client-certificate-data", "token:", "PRIVATE KEY", "LS0tLS1CRUdJTiBQUklWQVRF", "change-me"] {
            #expect(!text.contains(secret), "\(secret) in a person's kubeconfig")
        }

        let served = try SimulatedServer(rehearsal: rehearsal, directory: dir)
        defer { served.stop() }
        try ca.write(to: URL(fileURLWithPath: dir.file("alice-ca.crt")))
        let trusted = try served.handshake(caFile: dir.file("alice-ca.crt"), name: "k8s.faforever.com")
        #expect(trusted.status == 0, "\(trusted.output)")
        #expect(trusted.stdout.contains("Verify return code: 0 (ok)"), "\(trusted.stdout)")
        // The cluster's client CA signed no serving certificate: trusting it alone is refused.
        let wrong = try served.handshake(caFile: rehearsal + "/host/var/lib/rancher/k3s/server/tls/client-ca.crt", name: "k8s.faforever.com")
        #expect(wrong.status != 0, "\(wrong.output)")
        #expect(wrong.output.contains("certificate verify failed"), "\(wrong.output)")
    }

    /// kubectl with the admin kubeconfig the simulated k3s wrote works over TLS against the
    /// rehearsal's cluster served by `bootstrap emulator` with the rehearsal's serving certificate.
    @Test(.enabled(if: EmulatorKubectl.executable != nil, "kubectl is not installed; scripts/test installs it"))
    func kubectlWithTheRehearsalsAdminKubeconfigWorksOverTLS() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("minimal")
        let applied = try bootstrap(["apply", Self.minimal, "--rehearsal", rehearsal])
        try #require(applied.status == 0, "\(applied.output)")
        let admin = rehearsal + "/host/etc/rancher/k3s/k3s.yaml"
        #expect((try FileManager.default.attributesOfItem(atPath: admin)[.posixPermissions] as? Int) == 0o600)
        let served = try SimulatedServer(rehearsal: rehearsal, directory: dir)
        defer { served.stop() }
        let kubectl = try #require(EmulatorKubectl.executable)
        // k3s' kubeconfig names https://127.0.0.1:6443; the emulator here listens on a free port.
        let nodes = try runProcess(kubectl, ["--kubeconfig", admin, "--server", served.url, "--cache-dir", dir.file("cache"),
                                             "get", "namespaces", "-o", "name"])
        #expect(nodes.status == 0, "\(nodes.stderr)")
        #expect(nodes.stdout.contains("namespace/kube-system"), "\(nodes.stdout)")
        let insecure = try runProcess(kubectl, ["--kubeconfig", admin, "--server", served.url.replacingOccurrences(of: "https:", with: "http:"),
                                                "--cache-dir", dir.file("cache"), "get", "namespaces"])
        #expect(insecure.status != 0, "the simulated k3s serves no plain HTTP")
    }

    @Test func saysWhereTheClusterCAWasLookedFor() throws {
        let dir = TemporaryDirectory()
        let result = try bootstrap(["kubeconfig", Self.faf, "--secrets", Paths.repository + "/secrets.example",
                                    "--user", "alice", "--host-root", dir.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: cannot read the cluster CA from \(dir.path)/etc/rancher/k3s/k3s.yaml"))
    }
}

/// A kubeconfig whose user logs in through an `exec` plugin (as kubelogin does).
@Suite struct ExecCredentialTests {
    /// A plugin on PATH that counts its runs and prints an ExecCredential expiring at `expiry`.
    /// `interactive`: it records whether its standard input is a terminal and what
    /// KUBERNETES_EXEC_INFO said, and at a terminal asks for a password first (as kubelogin's
    /// password grant does), failing unless it reads "hunter2".
    /// `thinking`: seconds the person takes to answer the prompt (the plugin waits that long
    /// before reading), for what the display does meanwhile.
    func rig(expiry: String, failing: Bool = false, interactive: String? = nil, thinking: String? = nil)
        throws -> (EngineRig, TemporaryDirectory, [String: String], String) {
        let rig = try EngineRig()
        let dir = TemporaryDirectory()
        let kubeconfig = dir.file("kubeconfig")
        try rig.server.writeKubeconfig(to: kubeconfig)
        let text = try String(contentsOfFile: kubeconfig, encoding: .utf8).replacingOccurrences(of: "    token: emulator-token", with: """
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: fake-login
                  args: [get-token, --issuer, https://issuer.example]
            """ + (interactive.map { "\n      interactiveMode: \($0)" } ?? ""))
        try text.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let asks = """
            if [ -t 0 ]; then echo terminal >> "\(dir.file("stdin"))"; else echo none >> "\(dir.file("stdin"))"; fi
            echo "$KUBERNETES_EXEC_INFO" >> "\(dir.file("info"))"
            if [ -t 0 ]; then
              printf 'fake-login password: ' >&2
              \(thinking.map { "sleep \($0)" } ?? "")
              read answer
              [ "$answer" = hunter2 ] || { echo 'fake-login: wrong password' >&2; exit 4; }
            fi

            """
        let body = failing
            ? "echo 'fake-login: open https://issuer.example/login to sign in' >&2\nexit 3\n"
            : (interactive == nil ? "" : asks) + "echo run >> \"\(dir.file("runs"))\"\necho 'fake-login: using cached login' >&2\n"
              + "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"plugin-token\",\"expirationTimestamp\":\"\(expiry)\"}}'\n"
        try dir.write("bin/fake-login", "#!/bin/sh\n" + body, mode: 0o755)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = dir.file("bin") + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        return (rig, dir, environment, kubeconfig)
    }

    func runs(_ dir: TemporaryDirectory) -> Int {
        ((try? String(contentsOfFile: dir.file("runs"), encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    @Test func theTokenIsCachedUntilItsExpiry() throws {
        let (rig, dir, environment, kubeconfig) = try rig(expiry: "2999-01-01T00:00:00Z")
        _ = rig
        // A plan makes several requests (the ledger, discovery, the dry runs).
        let result = try bootstrap(["plan", KubeconfigCommandTests.minimal, "--kubeconfig", kubeconfig], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(runs(dir) == 1, "one login for the whole run, however many requests")
        #expect(result.stderr.contains("fake-login: using cached login"), "the plugin's messages are shown")
        #expect(!result.output.contains("plugin-token"))
    }

    @Test func anExpiredTokenIsFetchedAgain() throws {
        let (rig, dir, environment, kubeconfig) = try rig(expiry: "2000-01-01T00:00:00Z")
        _ = rig
        let result = try bootstrap(["plan", KubeconfigCommandTests.minimal, "--kubeconfig", kubeconfig], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(runs(dir) >= 2, "a token already expired is not reused")
    }

    /// At a terminal, an IfAvailable plugin gets it: it reads the answer typed there (through a
    /// pseudo-terminal from util-linux's `script`), and is told `interactive: true`.
    @Test(.enabled(if: which("script") != nil, "util-linux script gives the run a terminal"))
    func anInteractivePluginAsksAtTheTerminal() throws {
        let (rig, dir, environment, kubeconfig) = try rig(expiry: "2999-01-01T00:00:00Z", interactive: "IfAvailable")
        _ = rig
        let command = [Paths.binary, "status", KubeconfigCommandTests.minimal, "--kubeconfig", kubeconfig].joined(separator: " ")
        let result = try runProcess("/bin/sh", ["-c", "printf 'hunter2\\n' | script -qec '\(command)' /dev/null"], environment: environment)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("fake-login password:"), "the prompt reached the terminal: \(result.output)")
        #expect(try String(contentsOfFile: dir.file("stdin"), encoding: .utf8) == "terminal\n")
        #expect(try String(contentsOfFile: dir.file("info"), encoding: .utf8).contains("\"interactive\":true"))
        #expect(runs(dir) == 1)
        #expect(!result.output.contains("plugin-token"))
    }

    /// A login asked for in the middle of an apply (the token expired) has the terminal to itself:
    /// the live display, which redraws its block four times a second, neither erases the prompt
    /// nor writes into the line being typed (TerminalLoan).
    @Test(.enabled(if: which("script") != nil, "util-linux script gives the run a terminal"))
    func theLiveDisplayKeepsOffTheTerminalWhileAPluginAsks() throws {
        let (rig, dir, environment, kubeconfig) = try rig(expiry: "2000-01-01T00:00:00Z", interactive: "IfAvailable", thinking: "0.6")
        _ = rig
        let command = [Paths.binary, "apply", KubeconfigCommandTests.minimal, "--yes", "--kubeconfig", kubeconfig, "--skip", "k3s",
                       "--host-root", dir.file("root"), "--yes"].joined(separator: " ")
        // An answer for every login, all typed ahead (less than the terminal's 4 KiB input buffer:
        // an endless `yes` would fill it once nobody reads, and stall script and the run with it).
        let answers = String(repeating: "hunter2\\n", count: 100)
        let result = try runProcess("/bin/sh", ["-c", "printf '\(answers)' | script -qec '\(command)' /dev/null"], environment: environment)
        #expect(result.status == 0, "\(result.output)")
        let prompts = result.output.components(separatedBy: "fake-login password: ").dropFirst()
        #expect(prompts.count >= 2, "the expired token makes the plugin ask at every request: \(result.output)")
        for answer in prompts {
            let line = answer.prefix { !$0.isNewline }
            #expect(!line.contains("\u{1B}"), "the display wrote into the prompt's line: \(line.debugDescription)")
        }
        #expect(result.output.contains("Apply complete"), "\(result.output)")
        _ = dir
    }

    /// Without a terminal the same plugin is told `interactive: false` and gets no standard input;
    /// Always then refuses before running it, saying why.
    @Test func withoutATerminalThePluginIsNotInteractiveAndAlwaysRefuses() throws {
        let (rig, dir, environment, kubeconfig) = try rig(expiry: "2999-01-01T00:00:00Z", interactive: "IfAvailable")
        _ = rig
        let result = try bootstrap(["status", KubeconfigCommandTests.minimal, "--kubeconfig", kubeconfig], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: dir.file("stdin"), encoding: .utf8) == "none\n")
        #expect(try String(contentsOfFile: dir.file("info"), encoding: .utf8).contains("\"interactive\":false"))

        let (always, alwaysDir, alwaysEnvironment, alwaysKubeconfig) = try self.rig(expiry: "2999-01-01T00:00:00Z", interactive: "Always")
        _ = always
        let refused = try bootstrap(["status", KubeconfigCommandTests.minimal, "--kubeconfig", alwaysKubeconfig], environment: alwaysEnvironment)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("the credential plugin fake-login must ask at a terminal (interactiveMode: Always)"), "\(refused.stderr)")
        #expect(runs(alwaysDir) == 0, "not run at all")
    }

    @Test func aFailingPluginFailsTheRunShowingWhatItSaid() throws {
        let (rig, dir, environment, kubeconfig) = try rig(expiry: "", failing: true)
        _ = (rig, dir)
        let result = try bootstrap(["status", KubeconfigCommandTests.minimal, "--kubeconfig", kubeconfig], environment: environment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("fake-login: open https://issuer.example/login to sign in"))
        #expect(result.stderr.contains("the credential plugin fake-login exited with status 3"), "\(result.stderr)")
    }
}

/// `bootstrap emulator` serving a rehearsal's cluster with the serving certificate and key its
/// simulated k3s keeps, on a free loopback port.
struct SimulatedServer {
    let process: Process
    let url: String

    init(rehearsal: String, directory: TemporaryDirectory) throws {
        let tls = rehearsal + "/host/var/lib/rancher/k3s/server/tls"
        let kubeconfig = directory.file("emulator.kubeconfig")
        process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["emulator", "--state", rehearsal + "/cluster.json", "--crds", rehearsal + "/crds", "--kubeconfig-out", kubeconfig,
                             "--tls-cert-file", tls + "/serving-kube-apiserver.crt", "--tls-private-key-file", tls + "/serving-kube-apiserver.key"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var server: String?
        for _ in 0..<2000 where server == nil {
            if let text = try? String(contentsOfFile: kubeconfig, encoding: .utf8),
               let config = try? KubeConfigText.server(in: text) { server = config } else { usleep(5000) }
        }
        guard let server else {
            process.terminate()
            throw FixtureError("bootstrap emulator wrote no kubeconfig")
        }
        url = server
    }

    /// `openssl s_client` to the server trusting only `caFile`, checking the certificate is for `name`.
    func handshake(caFile: String, name: String) throws -> ProcessResult {
        let port = url.split(separator: ":").last.map(String.init) ?? ""
        return try runProcess(TLSFixture.openssl!, ["s_client", "-connect", "127.0.0.1:" + port, "-CAfile", caFile, "-servername", name,
                                                    "-verify_hostname", name, "-verify_return_error"], input: "")
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
