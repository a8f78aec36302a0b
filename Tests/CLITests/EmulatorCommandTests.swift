import Document
import Foundation
import Testing
import TestSupport

/// `bootstrap emulator --fault-…`: a standalone emulator that misbehaves on purpose.
@Suite struct EmulatorCommandTests {
    @Test func theEmulatorCommandInjectsFaultsFromItsOptions() throws {
        let dir = TemporaryDirectory()
        let kubeconfig = dir.file("kubeconfig")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["emulator", "--kubeconfig-out", kubeconfig, "--fault-5xx", "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        var server: String?
        for _ in 0..<2000 where server == nil {
            if let text = try? String(contentsOfFile: kubeconfig, encoding: .utf8),
               let config = try? KubeConfigText.server(in: text) { server = config } else { usleep(5000) }
        }
        let url = try #require(server, "the emulator wrote its kubeconfig")
        let answers = try (0..<5).map { _ in try EmulatorHTTP.request(url: url + "/api/v1/namespaces").status }
        #expect(answers == [503, 503, 503, 503, 503])

        let bad = try bootstrap(["emulator", "--fault-drop", "1.5"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--fault-drop must be a share from 0 to 1"))
    }
}

/// The server URL of a kubeconfig written by the emulator.
enum KubeConfigText {
    struct Missing: Error {}
    static func server(in text: String) throws -> String {
        let node = try YAML.parseOne(text, file: "kubeconfig")
        guard let server = node["clusters"]?.sequence?.first?["cluster"]?["server"]?.scalarText else { throw Missing() }
        return server
    }
}
