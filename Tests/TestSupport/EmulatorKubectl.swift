import Emulator
import Foundation

/// Runs the real `kubectl` against an emulator, with its own kubeconfig and discovery cache.
public struct EmulatorKubectl: Sendable {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public let kubeconfig: String
    public let cacheDir: String

    /// The kubectl on PATH, or nil when it is not installed.
    public static var executable: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/kubectl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    public init(emulator: EmulatorServer, directory: URL) throws {
        kubeconfig = directory.appendingPathComponent("kubeconfig").path
        cacheDir = directory.appendingPathComponent("cache").path
        try emulator.writeKubeconfig(to: kubeconfig)
    }

    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil) throws -> Result {
        guard let kubectl = Self.executable else { throw KubectlMissing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, "--request-timeout", "20s"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        // Read before waiting so a large output cannot fill the pipe and stall kubectl.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    public struct KubectlMissing: Error, CustomStringConvertible {
        public var description: String { "kubectl is not installed; scripts/test installs it" }
    }
}
