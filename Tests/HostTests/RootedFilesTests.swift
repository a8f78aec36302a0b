import Foundation
import Host
import Testing
import TestSupport

/// Host paths under `--host-root`: every path maps under the root, `..` and symbolic links are
/// resolved as the node would resolve them, and none leads out of the root.
@Suite struct RootedFilesTests {
    let root = TemporaryDirectory("rooted")
    var files: RootedFiles { RootedFiles(root: root.path) }

    func mkdir(_ hostPath: String) throws {
        try FileManager.default.createDirectory(atPath: root.path + hostPath, withIntermediateDirectories: true)
    }

    func link(_ hostPath: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root.path + hostPath, withDestinationPath: target)
    }

    func escapes(_ body: () throws -> Void) -> Bool {
        do { try body(); return false } catch let error as HostError {
            if case .escapesRoot = error { return true }
            return false
        } catch { return false }
    }

    @Test func hostPathsMapUnderTheRootWithDotsAndDoubleSlashesResolved() throws {
        #expect(try files.real("/etc/faf/app.conf") == root.path + "/etc/faf/app.conf")
        #expect(try files.real("//etc/./faf//app.conf") == root.path + "/etc/faf/app.conf")
        #expect(try files.real("/etc/faf/../k3s/config.yaml") == root.path + "/etc/k3s/config.yaml")
        #expect(try files.real("/") == root.path + "/")
        // On a real node the kernel resolves paths itself: they are used as given.
        #expect(try RootedFiles(root: "/").real("/etc/../etc/hosts") == "/etc/../etc/hosts")
    }

    @Test func dotDotAboveTheRootIsRefused() throws {
        #expect(escapes { _ = try files.real("/../etc/passwd") })
        #expect(escapes { _ = try files.real("/etc/../../etc/passwd") })
        #expect(escapes { _ = try files.real("/etc/..") })
        #expect(escapes { try files.write("/../planted", Data("x".utf8), mode: 0o644, owner: nil) })
        #expect(!FileManager.default.fileExists(atPath: (root.path as NSString).deletingLastPathComponent + "/planted"))
    }

    /// A relative link resolves against its own directory, under the root.
    @Test func aRelativeLinkInsideTheRootIsFollowed() throws {
        try mkdir("/opt/data")
        try mkdir("/srv")
        try link("/srv/data", to: "../opt/data")
        #expect(try files.real("/srv/data/db/file") == root.path + "/opt/data/db/file")
        try files.write("/srv/data/note", Data("n".utf8), mode: 0o600, owner: nil)
        #expect(FileManager.default.fileExists(atPath: root.path + "/opt/data/note"))
    }

    /// An absolute link target is a host path: `/etc/pw -> /etc/passwd` reads the host root's
    /// passwd (none yet: an error), never this machine's.
    @Test func anAbsoluteLinkInTheLastComponentIsReadUnderTheRoot() throws {
        try mkdir("/etc")
        try link("/etc/pw", to: "/etc/passwd")
        #expect(throws: HostError.self) { try files.read("/etc/pw") }
        try files.write("/etc/passwd", Data("root:x:0:0::/root:/bin/sh\n".utf8), mode: 0o644, owner: nil)
        #expect(try files.read("/etc/pw") == Data("root:x:0:0::/root:/bin/sh\n".utf8))
        #expect(try files.status("/etc/pw")?.kind == .symlink)
    }

    /// Writing a path whose last component is a link replaces the link, not what it points at.
    @Test func aWriteReplacesALinkItselfNotItsTarget() throws {
        let outside = TemporaryDirectory("outside")
        try outside.write("target", "keep")
        try mkdir("/etc")
        try link("/etc/app.conf", to: outside.file("target"))
        try files.write("/etc/app.conf", Data("new".utf8), mode: 0o644, owner: nil)
        #expect(try String(contentsOfFile: outside.file("target"), encoding: .utf8) == "keep")
        #expect(try files.status("/etc/app.conf")?.kind == .file)
        #expect(try files.read("/etc/app.conf") == Data("new".utf8))
    }

    @Test func aLinkLoopIsRefusedNotFollowedForever() throws {
        try link("/a", to: "/b")
        try link("/b", to: "/a")
        #expect(escapes { _ = try files.real("/a/file") })
    }

    @Test func removeTreeOfNothingIsNoErrorAndListIsSorted() throws {
        try files.removeTree("/srv/never-made")
        try files.makeDirectory("/srv/list", mode: 0o750, owner: nil)
        for name in ["b", "c", "a"] { try files.write("/srv/list/\(name)", Data(), mode: 0o600, owner: nil) }
        #expect(try files.list("/srv/list") == ["a", "b", "c"])
        #expect(try files.status("/srv/list")?.mode == 0o750)
        try files.removeTree("/srv/list")
        #expect(try files.status("/srv/list") == nil)
    }
}
