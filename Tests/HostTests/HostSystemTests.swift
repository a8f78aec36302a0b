import Foundation
import Host
import Testing
import TestSupport

@Suite struct LocalHostTests {
    @Test func runsCommandsFromItsOwnPathFeedingInputAndCapturingOutput() async throws {
        let fixture = try HostFixture()
        try fixture.script(fixture.bin + "/greet", "read name\necho \"hello $name\"\necho warn >&2\nexit 3\n")
        let result = try await fixture.host.run(Command(["greet"], input: "faf\n", changesHost: false))
        #expect(result.status == 3)
        #expect(result.stdout == "hello faf\n")
        #expect(result.stderr == "warn\n")
        // The process's own PATH does not know the fake.
        await #expect(throws: HostError.self) { try await LocalHost().run(Command(["greet"], changesHost: false)) }
    }

    @Test func aDataCopyHandedToTheHostIsRefusedAsItsDriversWorkNotAsARehearsalLimit() async throws {
        let fixture = try HostFixture()
        try fixture.write("/srv/faf/data/f", "x")
        let copy = DataCopy(from: "/srv/faf/data", to: "/tank/faf/data", name: "data",
                            work: [.run(Command(["rsync", "--archive", "/srv/faf/data/", "/tank/faf/data/.bootstrap-staging/"], changesHost: true))])
        #expect(copy.lines == ["rsync --archive /srv/faf/data/ /tank/faf/data/.bootstrap-staging/"])
        let error = await #expect(throws: HostError.self) { try await HostChange.copyData(copy).perform(on: fixture.host) }
        let message = error.map { "\($0)" } ?? ""
        // On a real host the old wording read "rehearsal cannot simulate".
        #expect(!message.contains("rehearsal"), "\(message)")
        #expect(message == "the copy of /srv/faf/data to /tank/faf/data is performed by its step's driver, not as a single host change")
        #expect(try fixture.host.status("/tank/faf/data") == nil)
    }

    @Test func mapsHostPathsUnderItsRoot() async throws {
        let fixture = try HostFixture()
        try fixture.write("/etc/motd", "hi")
        let result = try await fixture.host.run(Command(["cat", "/etc/motd"], changesHost: false, hostPaths: [1]))
        #expect(result.stdout == "hi")
        #expect(Command(["cat", "/etc/motd"], environment: ["A": "b c"], changesHost: false).description == "A='b c' cat /etc/motd")
    }

    @Test func writesAtomicallyWithModeAndOwner() throws {
        let fixture = try HostFixture()
        let host = fixture.host
        try host.makeDirectory("/srv/a/b", mode: 0o710, owner: FileOwner(uid: 12, gid: 34))
        try host.write("/srv/a/b/f", Data("x".utf8), mode: 0o400, owner: FileOwner(uid: 56, gid: 78))
        #expect(try host.status("/srv/a/b")?.mode == 0o710)
        #expect(try host.status("/srv/a/b")?.owner == FileOwner(uid: 12, gid: 34))
        #expect(try host.status("/srv/a/b/f")?.owner == FileOwner(uid: 56, gid: 78))
        #expect(try host.status("/srv/a/b/f")?.mode == 0o400)
        #expect(try host.read("/srv/a/b/f") == Data("x".utf8))
        #expect(try host.read("/srv/missing") == nil)
        #expect(try host.list("/srv/a/b") == ["f"])
    }
}

@Suite struct PlanHostTests {
    @Test func refusesEverySideEffectAndPassesLookUpsThrough() async throws {
        let fixture = try HostFixture()
        try fixture.write("/etc/motd", "hi")
        let plan = PlanHost(wrapping: fixture.host)
        let before = TreeSnapshot(fixture.root, withTimes: true)

        #expect(try await plan.run(Command(["cat", "/etc/motd"], changesHost: false, hostPaths: [1])).stdout == "hi")
        #expect(try plan.read("/etc/motd") == Data("hi".utf8))
        await #expect(throws: HostError.self) { try await plan.run(Command(["touch", "/x"], changesHost: true, hostPaths: [1])) }
        #expect(throws: HostError.self) { try plan.write("/etc/motd", Data(), mode: 0o644, owner: nil) }
        #expect(throws: HostError.self) { try plan.makeDirectory("/srv", mode: nil, owner: nil) }
        #expect(throws: HostError.self) { try plan.setAttributes("/etc/motd", mode: 0o600, owner: nil) }
        #expect(throws: HostError.self) { try plan.move("/etc/motd", to: "/etc/motd2") }
        #expect(throws: HostError.self) { try plan.removeTree("/etc") }
        #expect(TreeSnapshot(fixture.root, withTimes: true) == before)
    }
}

/// Host paths stay under --host-root: symbolic links are resolved as on the node, never out of the root.
@Suite struct HostRootTests {
    @Test func anAbsoluteLinkPointsUnderTheRootNotOutOfIt() throws {
        let root = TemporaryDirectory("host-root")
        let outside = TemporaryDirectory("outside")
        try FileManager.default.createDirectory(atPath: root.path + "/etc", withIntermediateDirectories: true)
        // On the node, /etc/faf -> /srv/faf-config; under a host root that is ROOT/srv/faf-config.
        try FileManager.default.createSymbolicLink(atPath: root.path + "/etc/faf", withDestinationPath: outside.path)
        try FileManager.default.createDirectory(atPath: root.path + outside.path, withIntermediateDirectories: true)
        let host = LocalHost(root: root.path)
        try host.write("/etc/faf/token", Data("t".utf8), mode: 0o600, owner: nil)
        try host.makeDirectory("/etc/faf/sub", mode: 0o750, owner: nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty, "wrote outside the host root")
        #expect(FileManager.default.fileExists(atPath: root.path + outside.path + "/token"))
        #expect(try host.read("/etc/faf/token") == Data("t".utf8))
    }

    @Test func aLinkLeadingAboveTheRootIsRefused() throws {
        let root = TemporaryDirectory("host-root")
        try FileManager.default.createDirectory(atPath: root.path + "/etc", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.path + "/etc/up", withDestinationPath: "../../../../../../../../tmp")
        let host = LocalHost(root: root.path)
        #expect { try host.write("/etc/up/planted", Data("x".utf8), mode: 0o644, owner: nil) } throws: { error in
            "\(error)".contains("leads outside the host root through a symbolic link")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/planted"))
        #expect(throws: HostError.self) { try host.setAttributes("/etc/up", mode: 0o777, owner: nil) }
    }

    /// A rehearsal's host.log lists what was done: a write refused (a symlinked etc/faf leading out of
    /// the host root) is not logged as if it had happened.
    @Test func aRefusedWriteInARehearsalIsNotLogged() throws {
        let dir = TemporaryDirectory("rehearsal")
        let host = try RehearsalHost(directory: dir.path, simulations: [])
        try FileManager.default.createDirectory(atPath: host.root + "/etc", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: host.root + "/etc/faf", withDestinationPath: "../../../../../../../../tmp")
        #expect(throws: HostError.self) { try host.write("/etc/faf/faf.conf", Data("x".utf8), mode: 0o644, owner: nil) }
        #expect(throws: HostError.self) { try host.makeDirectory("/etc/faf/sub", mode: nil, owner: nil) }
        #expect(host.loggedActions().isEmpty, "\(host.loggedActions())")
        try host.write("/etc/ok.conf", Data("x".utf8), mode: 0o644, owner: nil)
        #expect(host.loggedActions().contains { $0.contains("/etc/ok.conf") })
    }
}
