import Foundation

/// Where things are, found from this source file so tests never depend on the working directory.
public enum Paths {
    /// The package root.
    public static let repository: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// The project's shared material (`../shared` beside the repository).
    public static let shared: String = {
        URL(fileURLWithPath: repository).deletingLastPathComponent().appendingPathComponent("shared").path
    }()

    public static var crds: String { shared + "/crds" }
    /// Playbooks that break one rule each, for the loader's and the graph's rejection tests.
    public static var playbookFixtures: String { repository + "/Tests/Fixtures/playbooks" }
    public static var fixtures: String { shared + "/fixtures" }

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
