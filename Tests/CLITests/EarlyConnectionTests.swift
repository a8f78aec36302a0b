import Document
import Emulator
import Foundation
import Testing
import TestSupport

/// `apply` against a real cluster connects while it reads and checks the playbook: the run then
/// uses that connection, so it makes no request more, says the kubeconfig's warnings once, and
/// a playbook that does not check still exits as it did.
@Suite struct EarlyConnectionTests {
    static let playbook = """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: early}
        steps:
          - id: ns
            type: kube.namespaces
            with: {names: [early-a, early-b]}

        """

    @Test func aNoOpReRunReadsOnlyItsLedgerAndWarnsOnce() throws {
        let dir = TemporaryDirectory()
        let server = try EmulatorFixtures.started()
        defer { server.stop() }
        // A kubeconfig with a warning to say: TLS verification switched off (meaningless over the
        // emulator's plain HTTP, but said all the same).
        let kubeconfig = server.kubeconfigYAML().replacingOccurrences(of: "    server: ", with: "    insecure-skip-tls-verify: true\n    server: ")
        _ = try dir.write("kubeconfig", kubeconfig)
        let playbook = try dir.write("pb.yaml", Self.playbook)
        let root = dir.file("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let argv = ["apply", playbook, "--yes", "--kubeconfig", dir.file("kubeconfig"), "--host-root", root]

        let first = try bootstrap(argv)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(server.object(apiVersion: "v1", kind: "Namespace", name: "early-b") != nil)
        server.clearRequestLog()
        let again = try bootstrap(argv)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 applied, 1 skipped"))
        // The ledger is the connection's first request: no discovery, and no key for a playbook without secrets.
        #expect(server.requests().count == 1, "\(server.requests().map(\.path))")
        #expect(server.requests().allSatisfy { $0.method == "GET" && $0.path.hasSuffix("/configmaps/bootstrap-early") })
        #expect(again.stderr.components(separatedBy: "insecure-skip-tls-verify").count == 2, "\(again.stderr)")
    }

    @Test func aPlaybookThatDoesNotCheckStillExits65WithTheClusterReachable() throws {
        let dir = TemporaryDirectory()
        let server = try EmulatorFixtures.started()
        defer { server.stop() }
        try server.writeKubeconfig(to: dir.file("kubeconfig"))
        let playbook = try dir.write("pb.yaml", Self.playbook.replacingOccurrences(of: "kube.namespaces", with: "kube.namespace"))
        let root = dir.file("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for _ in 0..<3 {
            let result = try bootstrap(["apply", playbook, "--yes", "--kubeconfig", dir.file("kubeconfig"), "--host-root", root])
            #expect(result.status == 65, "\(result.stderr)")
            #expect(result.stderr.contains("unknown type \"kube.namespace\""))
        }
        #expect(server.requests().allSatisfy { $0.method == "GET" })
    }
}
