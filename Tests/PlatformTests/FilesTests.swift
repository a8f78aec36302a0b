import Foundation
import Testing
import Platform

@Suite struct FilesTests {
    private func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("platform-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func atomicWriteReplacesContentSetsModeAndLeavesNoTemporaryFile() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/config.yaml"
        try Files.writeAtomically(path, Array("old\n".utf8), mode: 0o644, durable: true)
        try Files.writeAtomically(path, Array("new\n".utf8), mode: 0o600, durable: false)
        #expect(try Files.read(path) == Array("new\n".utf8))
        #expect(try FileInfo.of(path)?.mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["config.yaml"])
    }

    /// A run killed between creating its temporary file and renaming it leaves `.NAME.bootstrap-PID-N`;
    /// the next write into that directory removes it once PID is gone, whatever file it was for, and
    /// leaves live writers' temporaries and other files alone.
    @Test func atomicWriteRemovesTemporaryFilesOfDeadWriters() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = finished.processIdentifier, alive = getppid()
        let leftovers = [".config.yaml.bootstrap-\(dead)-12345", ".config.yaml.bootstrap-\(alive)-678",
                         ".other.yaml.bootstrap-\(dead)-9", ".config.yaml.bootstrap-notes"]
        for name in leftovers { FileManager.default.createFile(atPath: dir + "/" + name, contents: Data("partial".utf8)) }
        try Files.writeAtomically(dir + "/config.yaml", Array("new\n".utf8), mode: 0o644, durable: false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [
            ".config.yaml.bootstrap-\(alive)-678", ".config.yaml.bootstrap-notes", "config.yaml",
        ])
    }

    @Test func atomicWriteIntoAMissingDirectoryFailsWithTheSystemsReason() {
        #expect {
            try Files.writeAtomically("/nonexistent-platform-test/dir/file", Array("x".utf8), mode: 0o600, durable: false)
        } throws: { error in
            let failure = error as? SystemError
            return failure?.call == "open" && failure?.reason == "No such file or directory"
        }
    }

    @Test func appendAddsToTheEnd() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Files.append(dir + "/log", Array("a\n".utf8), mode: 0o644)
        try Files.append(dir + "/log", Array("b\n".utf8), mode: 0o644)
        #expect(try Files.read(dir + "/log") == Array("a\nb\n".utf8))
    }

    @Test func statusOfNothingIsNil() throws {
        #expect(try FileInfo.of("/nonexistent-platform-test") == nil)
        #expect(try FileInfo.of("/")?.kind == .directory)
    }
}
