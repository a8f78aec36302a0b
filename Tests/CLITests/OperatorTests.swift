import Foundation
import Testing
import TestSupport

/// What an operator at the node sees: retries, status before the cluster exists.
@Suite struct OperatorTests {
    static let minimal = Paths.repository + "/playbooks/examples/minimal.yaml"

    /// An environment that finds no kubeconfig: no $KUBECONFIG, an empty home.
    static func noKubeconfigEnvironment(_ dir: TemporaryDirectory) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "KUBECONFIG")
        environment["HOME"] = dir.path
        return environment
    }

    @Test func retriesOfAnUnreachableAPIPrintOneLineEach() throws {
        let dir = TemporaryDirectory()
        // Port 1 on loopback: nothing listens, every connection is refused.
        let kubeconfig = try dir.write("kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]
            users: [{name: u, user: {}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x

            """)
        let result = try bootstrap(["status", Self.minimal, "--kubeconfig", kubeconfig, "--retry-deadline", "2"])
        #expect(result.status == 1)
        let retries = result.stderr.split(separator: "\n").filter { $0.hasPrefix("retrying GET /") }
        #expect(retries.count >= 2, "\(result.stderr)")
        #expect(retries.first?.contains(": connection refused (attempt 1, next in ") == true, "\(result.stderr)")
        #expect(retries.allSatisfy { $0.hasSuffix("s)") })
        #expect(result.stderr.contains("error: "))
    }

    @Test func statusOnANodeWithoutAClusterListsEveryStepAsNotRecorded() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("root"), withIntermediateDirectories: true)
        let result = try bootstrap(["status", Self.minimal, "--host-root", dir.file("root")], environment: Self.noKubeconfigEnvironment(dir))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("k3s         not recorded"), "\(result.stdout)")
        #expect(result.stdout.contains("namespaces  not recorded"), "\(result.stdout)")
        #expect(result.stdout.contains("0 of 2 steps recorded"))
    }
}
