import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only")
#endif
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

/// `--lock-timeout`, shell completions.
@Suite struct LockTimeoutAndCompletionTests {
    static let minimal = Paths.repository + "/playbooks/examples/minimal.yaml"

    @Test func lockTimeoutWaitsForAHeldNodeLockThenRuns() throws {
        let dir = TemporaryDirectory()
        let lockFile = dir.file("r/host/var/lib/bootstrap/apply.lock")
        try FileManager.default.createDirectory(atPath: dir.file("r/host/var/lib/bootstrap"), withIntermediateDirectories: true)
        // This test process holds the node's lock, as another apply would.
        let fd = open(lockFile, O_RDWR | O_CREAT, 0o600)
        try #require(fd >= 0)
        try #require(flock(fd, LOCK_EX) == 0)
        var released = false
        defer { if !released { close(fd) } }

        let refused = try bootstrap(["apply", Self.minimal, "--rehearsal", dir.file("r")])
        #expect(refused.status == 75, "\(refused.stderr)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["apply", Self.minimal, "--rehearsal", dir.file("r"), "--lock-timeout", "2m"]
        let errFile = dir.file("stderr")
        FileManager.default.createFile(atPath: errFile, contents: nil)
        FileManager.default.createFile(atPath: dir.file("stdout"), contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errFile)!
        process.standardOutput = FileHandle(forWritingAtPath: dir.file("stdout"))
        try process.run()
        let stderr = { (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? "" }
        #expect(InterruptTests.waitFor(seconds: 60) { stderr().contains("waiting up to 120s for the lock: another apply holds") }, "\(stderr())")
        close(fd)
        released = true
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stderr())")
        #expect(!stderr().contains("Apply complete"), "the summary is a result: stdout")
        #expect(((try? String(contentsOfFile: dir.file("stdout"), encoding: .utf8)) ?? "").contains("Apply complete"))
    }

    @Test func completionScriptsOfferTheOutputValues() throws {
        let bash = try bootstrap(["--generate-completion-script", "bash"])
        #expect(bash.status == 0)
        #expect(bash.stdout.contains("--output"))
        #expect(bash.stdout.contains("'text'$'\\n''json'"), "value completion for --output")
    }
}

/// `--version` says which release and which build.
@Suite struct VersionTests {
    @Test func versionNamesTheReleaseAndTheBuild() throws {
        let result = try bootstrap(["--version"])
        #expect(result.status == 0)
        // A test build is no release build: it says so rather than inventing a commit.
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0 (development build)")
    }
}
