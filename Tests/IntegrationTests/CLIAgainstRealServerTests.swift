import Document
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// The `bootstrap` binary against the real API server: what a person sees when TLS or the client
/// certificate is wrong, and two applies racing for the lock.
@Suite struct CLIAgainstRealServerTests {
    /// A playbook of cluster steps only, so the binary needs no host (its --host-root is a temp dir).
    static func namespacesPlaybook(_ name: String) -> String {
        """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: \(name)}
        steps:
          - id: namespaces
            type: kube.namespaces
            with: {names: [\(name)]}
        """
    }

    /// A kubeconfig for the real server with the given CA and client certificate files (nil: none).
    static func kubeconfig(in dir: TemporaryDirectory, ca: String, clientCertificate: String?, clientKey: String?) throws -> String {
        let server = try RealServer.config().server
        var user = "{}"
        if let clientCertificate, let clientKey { user = "{client-certificate: \(clientCertificate), client-key: \(clientKey)}" }
        return try dir.write("kubeconfig-\(UUID().uuidString)", """
            apiVersion: v1
            kind: Config
            clusters: [{name: real, cluster: {server: "\(server)", certificate-authority: \(ca)}}]
            users: [{name: u, user: \(user)}]
            contexts: [{name: real, context: {cluster: real, user: u}}]
            current-context: real
            """)
    }

    @Test func wrongCAIsRefusedNamingTheKubeconfigSetting() async throws {
        try await RealServer.prepared()
        let pki = try RealServer.stateDirectory() + "/pki"
        let dir = TemporaryDirectory()
        let playbook = try dir.write("p.yaml", Self.namespacesPlaybook("it-tls-ca"))
        let config = try Self.kubeconfig(in: dir, ca: pki + "/other-ca.crt", clientCertificate: pki + "/admin.crt", clientKey: pki + "/admin.key")
        let server = try RealServer.config().server
        let result = try bootstrap(["status", playbook, "--kubeconfig", config, "--host-root", dir.file("root"), "--retry-deadline", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("TLS certificate verification failed for \(server)"), "\(result.stderr)")
        #expect(result.stderr.contains("check certificate-authority in the kubeconfig"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was changed"), "\(result.stderr)")
    }

    @Test func missingClientCertificateIsRefusedAsUnauthorized() async throws {
        try await RealServer.prepared()
        let pki = try RealServer.stateDirectory() + "/pki"
        let dir = TemporaryDirectory()
        let playbook = try dir.write("p.yaml", Self.namespacesPlaybook("it-tls-anon"))
        let config = try Self.kubeconfig(in: dir, ca: pki + "/ca.crt", clientCertificate: nil, clientKey: nil)
        let result = try bootstrap(["status", playbook, "--kubeconfig", config, "--host-root", dir.file("root"), "--retry-deadline", "0"])
        // kube-apiserver asks for a client certificate but does not require one at the TLS layer;
        // without one (and with anonymous auth off, as k3s runs) every request is 401.
        #expect(result.status != 0)
        #expect(result.stderr.contains("401 Unauthorized"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was changed"), "\(result.stderr)")
        // Nothing was written, so the failure is safe to retry once the kubeconfig is fixed.
        let ns = try RealServer.kubectl(["get", "namespace", "it-tls-anon"])
        #expect(ns.status != 0)
    }

    @Test func aCertificateWithoutRightsIsForbiddenNamingTheUser() async throws {
        try await RealServer.prepared()
        let state = try RealServer.stateDirectory()
        let dir = TemporaryDirectory()
        // A client certificate the cluster's CA signed for a user no RBAC rule mentions.
        guard let openssl = TLSFixture.openssl else { throw FixtureError("openssl not found") }
        let key = dir.file("nobody.key"), csr = dir.file("nobody.csr"), crt = dir.file("nobody.crt")
        for arguments in [["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=it-nobody", "-keyout", key, "-out", csr],
                          ["x509", "-req", "-in", csr, "-CA", state + "/pki/ca.crt", "-CAkey", state + "/pki/ca.key",
                           "-CAcreateserial", "-CAserial", dir.file("ca.srl"), "-days", "1", "-out", crt]] {
            let made = try runProcess(openssl, arguments)
            #expect(made.status == 0, "\(made.stderr)")
        }
        let playbook = try dir.write("p.yaml", Self.namespacesPlaybook("it-forbidden"))
        let config = try Self.kubeconfig(in: dir, ca: state + "/pki/ca.crt", clientCertificate: crt, clientKey: key)
        let result = try bootstrap(["apply", playbook, "--yes", "--kubeconfig", config, "--host-root", dir.file("root"), "--retry-deadline", "0"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("403 Forbidden"), "\(result.stderr)")
        #expect(result.stderr.contains("User \"it-nobody\" cannot"), "\(result.stderr)")
    }

    /// Two applies started together: the real server's optimistic concurrency lets one create (or
    /// update) the Lease; the other exits 75 naming the holder, and writes nothing.
    @Test func twoConcurrentAppliesOneExits75() async throws {
        try await RealServer.prepared()
        let id = UUID().uuidString.prefix(6).lowercased()
        let name = "it-lock-\(id)"
        let dir = TemporaryDirectory()
        // The helm.chart step holds the winner inside its run (it waits for the install Job)
        // until this test's stand-in for helm-controller lets it finish.
        let playbook = try dir.write("p.yaml", """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: \(name)}
            steps:
              - id: namespaces
                type: kube.namespaces
                with: {names: [\(name)]}
              - id: chart
                type: helm.chart
                needs: [namespaces]
                with: {name: \(name), chart: rabbitmq, repo: https://charts.bitnami.com/bitnami, version: 14.6.10, targetNamespace: \(name)}
            """)
        let kubeconfig = try RealServer.kubeconfig()
        // Each from its own host root (two nodes of one cluster): the cluster's Lease decides, not the node's lock.
        var node = 0
        func start() throws -> (Process, Pipe) {
            node += 1
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Paths.binary)
            process.arguments = ["apply", playbook, "--yes", "--kubeconfig", kubeconfig, "--host-root", dir.file("root-\(node)"), "--timeout", "120"]
            let err = Pipe()
            // The summary is on stdout, the lock's message on stderr: read both, in order.
            process.standardError = err
            process.standardOutput = err
            try process.run()
            return (process, err)
        }
        let (a, aErr) = try start()
        let (b, bErr) = try start()
        // Whichever lost the race exits on its own; the winner waits for its Job.
        try await eventually("one apply to give up", timeout: .seconds(60)) { !a.isRunning || !b.isRunning }
        let (loser, loserErr, winner, winnerErr) = a.isRunning ? (b, bErr, a, aErr) : (a, aErr, b, bErr)
        loser.waitUntilExit()
        let loserText = String(decoding: loserErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(loser.terminationStatus == 75, "\(loserText)")
        #expect(loserText.contains("another apply holds the lock: \(ProcessInfo.processInfo.hostName)/pid \(winner.processIdentifier), since "), "\(loserText)")
        #expect(winner.isRunning, "the winner should still wait for its Job")

        let helm = HelmControllerStandIn(charts: [name])
        try helm.start()
        defer { helm.stop() }
        let winnerText = String(decoding: winnerErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        winner.waitUntilExit()
        #expect(winner.terminationStatus == 0, "\(winnerText)")
        #expect(winnerText.contains("2 applied, 0 skipped, 0 failed"), "\(winnerText)")

        // The lock is free again, and the ledger has each step once: the next apply skips both.
        let third = try bootstrap(["apply", playbook, "--yes", "--kubeconfig", kubeconfig, "--host-root", dir.file("root")])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stdout.contains("0 applied, 2 skipped"), "\(third.output)")
    }
}
