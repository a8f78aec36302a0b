import Engine
import Foundation
import Host
import Steps
import Testing
import TestSupport

@Suite struct ZFSDatasetTests {
    let fixture: HostFixture
    init() throws { fixture = try HostFixture() }

    static let mariadb = ZFSDataset.Parameters(name: "tank/faf/mariadb", mountpoint: "/tank/faf/mariadb", compression: "lz4",
                                               recordsize: "16K", owner: "999:999", mode: "0750")

    func run(_ parameters: ZFSDataset.Parameters) async throws -> ChangeSet {
        let driver = ZFSDataset(id: "ds", parameters: parameters)
        let context = fixture.context(fixture.host)
        let plan = try await driver.check(context)
        try await driver.apply(plan, context)
        #expect(try await driver.verify(plan, context) == [])
        return plan
    }

    @Test func createsTheDatasetWithOwnerAndModeOnce() async throws {
        let plan = try await run(Self.mariadb)
        #expect(plan.hostLines == [
            "zfs create -p -o mountpoint=/tank/faf/mariadb -o compression=lz4 -o recordsize=16K tank/faf/mariadb",
            "chown -h 999:999 /tank/faf/mariadb",
            "chmod 0750 /tank/faf/mariadb",
        ])
        let list = "zfs list -H -p -o name,mountpoint tank/faf/mariadb"
        // check looks, apply performs the planned change without looking again, verify looks.
        #expect(fixture.recorded() == [list,
                                       "zfs create -p -o mountpoint=/tank/faf/mariadb -o compression=lz4 -o recordsize=16K tank/faf/mariadb",
                                       list])
        let status = try #require(try fixture.host.status("/tank/faf/mariadb"))
        #expect(status.owner == FileOwner(uid: 999, gid: 999))
        #expect(status.mode == 0o750)

        fixture.clearRecord()
        #expect(try await run(Self.mariadb).hostLines.isEmpty)
        #expect(fixture.recorded() == [list, list])
    }

    @Test func existingDatasetWithAnotherMountpointIsRefused() async throws {
        try "tank/faf/mariadb\t/srv/mariadb\n".write(toFile: fixture.state + "/zfs-datasets", atomically: true, encoding: .utf8)
        let driver = ZFSDataset(id: "ds", parameters: Self.mariadb)
        let error = await #expect(throws: StepError.self) { try await driver.check(fixture.context(fixture.host)) }
        #expect(error?.message.contains("mountpoint /srv/mariadb, but the playbook wants /tank/faf/mariadb") == true)
        #expect(!fixture.recorded().contains { $0.hasPrefix("zfs create") || $0.hasPrefix("zfs set") })
    }

    @Test func aMissingZFSSaysHowToInstallItOrUseADirectory() async throws {
        let empty = fixture.directory + "/empty-path"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let host = LocalHost(root: fixture.root, environment: ["PATH": empty])
        let driver = ZFSDataset(id: "ds", parameters: Self.mariadb)
        await #expect {
            _ = try await driver.check(fixture.context(host))
        } throws: { error in
            let text = "\(error)"
            return text.contains("`zfs` is not installed") && text.contains("apt install zfsutils-linux") && text.contains("backend: directory")
        }
    }

    @Test func directoryBackendCreatesAPlainDirectory() async throws {
        try fixture.write("/etc/passwd", "root:x:0:0::/root:/bin/sh\nmysql:x:999:998::/var/lib/mysql:/bin/false\n")
        try fixture.write("/etc/group", "root:x:0:\nmysql:x:998:\nfaf:x:1500:\n")
        let plan = try await run(.init(mountpoint: "/srv/faf/mariadb", owner: "mysql:faf", mode: "0700", backend: "directory"))
        #expect(plan.hostLines == ["mkdir -p /srv/faf/mariadb", "chown -h 999:1500 /srv/faf/mariadb", "chmod 0700 /srv/faf/mariadb"])
        #expect(fixture.recorded().isEmpty)
        let status = try #require(try fixture.host.status("/srv/faf/mariadb"))
        #expect(status.kind == .directory)
        #expect(status.owner == FileOwner(uid: 999, gid: 1500))
        #expect(status.mode == 0o700)
    }
}
