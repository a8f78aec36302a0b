import Foundation
import Steps

/// Where things are, found from this source file so tests never depend on the working directory.
public enum Paths {
    /// The package root.
    public static let repository: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// A directory of the CRDs k3s v1.31.4+k3s1 serves (helm-controller's and Traefik's): the copies
    /// the binary embeds, written once per test process under the names a rehearsal gives them
    /// (`helm-controller-v0.16.5_helm.cattle.io_helmcharts.yaml`). The tests hold the emulator and
    /// the real API server to what the pinned k3s serves, not to a newer CRD.
    /// Under .build, kept between runs: every writer writes the same bytes, each file atomically.
    public static let crds: String = {
        let dir = repository + "/.build/test-crds-v1.31.4"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for crd in K3sReleases.release("v1.31.4+k3s1")!.crds {
            try! crd.yaml.write(toFile: dir + "/" + crd.file.replacing("/", with: "_"), atomically: true, encoding: .utf8)
        }
        return dir
    }()

    /// Playbooks that break one rule each, for the loader's and the graph's rejection tests.
    public static var playbookFixtures: String { repository + "/Tests/Fixtures/playbooks" }
    /// Upstream material the tests read (FAF's compose stack, chart values), each folder with a
    /// SOURCE file naming where it was copied from. Nothing in the project reads outside the repository.
    public static var fixtures: String { repository + "/Tests/Fixtures" }

    /// The `bootstrap` binary built beside the test bundle.
    public static let binary: String = {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        // The runner may sit inside a bundle directory (….xctest/…); walk up to the build directory.
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("bootstrap").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return repository + "/.build/debug/bootstrap"
    }()
}

/// A directory removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ prefix: String = "bootstrap-test") {
        var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(result != nil, "mkdtemp failed")
        path = String(cString: result!)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    public func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        let target = file(name)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        chmod(target, mode_t(mode))
        return target
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
