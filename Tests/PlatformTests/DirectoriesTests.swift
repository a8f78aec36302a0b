import Foundation
import Platform
import Testing

/// The directory calls that replaced FileManager outside Platform: `mkdir -p`, listing, removal,
/// and the environment read through named variables.
@Suite struct DirectoriesTests {
    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("platform-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func createListAndRemoveATree() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Files.createDirectory(dir + "/a/b/c")
        try Files.createDirectory(dir + "/a/b")  // already there: done, as with mkdir -p
        try Files.writeAtomically(dir + "/a/b/file", Array("x".utf8), mode: 0o644, durable: false)
        try FileManager.default.createSymbolicLink(atPath: dir + "/a/link", withDestinationPath: dir + "/a/b")
        #expect(try Files.list(dir + "/a") == ["b", "link"])
        // A link to a directory is listed, not entered.
        #expect(try Files.listTree(dir) == ["a", "a/b", "a/b/c", "a/b/file", "a/link"])
        #expect(Files.exists(dir + "/a/link/file") && !Files.exists(dir + "/a/none"))
        try Files.remove(dir + "/a")
        #expect(!Files.exists(dir + "/a"))
        #expect(throws: SystemError.self) { try Files.remove(dir + "/a") }
    }

    @Test func aFileInTheWayIsNamedWithTheReason() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Files.writeAtomically(dir + "/file", [], mode: 0o644, durable: false)
        do {
            try Files.createDirectory(dir + "/file/host")
            Issue.record("a directory was made below a file")
        } catch {
            #expect(error.fileOperationMessage == "cannot write \(dir)/file/host: Not a directory")
        }
        #expect(throws: SystemError.self) { try Files.createDirectory(dir + "/file") }
        #expect(throws: SystemError.self) { try Files.list(dir + "/file") }
    }

    @Test func environmentVariablesByName() {
        let environment = Environment.variables
        #expect(environment[.path] == ProcessInfo.processInfo.environment["PATH"])
        #expect(Environment.value(.home) == ProcessInfo.processInfo.environment["HOME"])
        var child: [String: String] = [:]
        child[.kubeconfig] = "/etc/kube"
        #expect(child == ["KUBECONFIG": "/etc/kube"])
        #expect(Processes.ownID == ProcessInfo.processInfo.processIdentifier)
        #expect(Processes.hostName == ProcessInfo.processInfo.hostName)
    }
}
