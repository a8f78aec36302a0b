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
        let result = try bootstrap(["status", KubeconfigCommandTests.minimal, "--kubeconfig", kubeconfig], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(runs(dir) == 1, "one login for the whole run, however many requests")
        #expect(result.stderr.contains("fake-login: using cached login"), "the plugin's messages are shown")
        #expect(!result.output.contains("plugin-token"))
    }

    @Test func anExpiredTokenIsFetchedAgain() throws {
        let (rig, dir, environment, kubeconfig) = try rig(expiry: "2000-01-01T00:00:00Z")
        _ = rig
        let result = try bootstrap(["status", KubeconfigCommandTests.minimal, "--kubeconfig", kubeconfig], environment: environment)
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
