import Emulator
import Foundation

/// Emulators as the tests start them.
public enum EmulatorFixtures {

    /// A fresh temporary directory, removed by the caller when it likes.
    public static func temporaryDirectory(_ prefix: String = "emulator") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A started emulator, serving the CRDs k3s v1.31.4 serves when `crds` is set, or those of
    /// `crdDirectory` (a newer helm-controller's, say); its kubelet on `clock` when given.
    public static func started(crds: Bool = false, crdDirectory: String? = nil, stateFile: String? = nil,
                               clock: (@Sendable () -> Duration)? = nil) throws -> EmulatorServer {
        let server = try EmulatorServer(options: EmulatorOptions(stateFile: stateFile, crdDirectory: crdDirectory ?? (crds ? Paths.crds : nil),
                                                                 clock: clock))
        try server.start()
        return server
    }
}
