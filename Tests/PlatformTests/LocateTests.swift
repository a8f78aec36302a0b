import Foundation
import Testing
import Platform

/// Finding a program on PATH, as a shell does: host commands and credential plugins both use it.
@Suite struct LocateTests {
    @Test func findsTheFirstExecutableFileThroughLinksAndSkipsWhatIsNot() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("locate-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for sub in ["a", "b", "c", "d"] { try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true) }
        // a: a directory of that name; b: a file without the execute bit; c: a link to an executable.
        try FileManager.default.createDirectory(atPath: "\(dir)/a/zfs", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(dir)/b/zfs", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o644])
        FileManager.default.createFile(atPath: "\(dir)/d/zfs-real", contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/c/zfs", withDestinationPath: "\(dir)/d/zfs-real")
        let path = ["\(dir)/a", "", "\(dir)/b", "\(dir)/c"].joined(separator: ":")
        #expect(Processes.locate("zfs", path: path) == "\(dir)/c/zfs")
        #expect(Processes.locate("zpool", path: path) == nil)
        #expect(Processes.locate("\(dir)/d/zfs-real", path: "") == "\(dir)/d/zfs-real")
        #expect(Processes.locate("\(dir)/b/zfs", path: "") == nil, "not executable")
        #expect(Processes.locate("\(dir)/a/zfs", path: "") == nil, "a directory")
    }
}
