import Emulator
import Foundation

/// Where the shared, read-only material lives: `../shared` next to the package root.
public enum EmulatorFixtures {
    public static var sharedCRDs: String { Paths.crds }

    /// A fresh temporary directory, removed by the caller when it likes.
    public static func temporaryDirectory(_ prefix: String = "emulator") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A started emulator (with the shared CRDs when asked).
    public static func started(crds: Bool = false, stateFile: String? = nil, clock: (@Sendable () -> Duration)? = nil) throws -> EmulatorServer {
        let server = try EmulatorServer(options: EmulatorOptions(stateFile: stateFile, crdDirectory: crds ? sharedCRDs : nil, clock: clock))
        try server.start()
        return server
    }
}
