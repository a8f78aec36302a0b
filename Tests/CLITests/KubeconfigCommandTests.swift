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
