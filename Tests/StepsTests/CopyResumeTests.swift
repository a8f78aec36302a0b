import Engine
import Foundation
import Host
import Steps
import Testing
import TestSupport

/// The copy of migration day: resumable after a kill, snapshotted once verified, redone on purpose
/// only behind a snapshot, and one file (Traefik's acme.json) with the owner and mode Traefik needs.
@Suite struct CopyResumeTests {
    static let source = "/opt/faf-stack/data/content"
    static let target = "/tank/faf/content"
    let fixture: HostFixture

    init() throws {
        fixture = try HostFixture()
        try FileManager.default.createDirectory(atPath: fixture.hostFile(Self.target), withIntermediateDirectories: true)
    }

    func migrate(_ driver: DataMigrate, recopy: Set<String> = []) async throws -> ChangeSet {
        let base = fixture.context(fixture.host)
        let context = StepContext(stepID: base.stepID, mode: .apply, host: base.host, kube: nil, connect: { nil },
                                  progress: { _ in }, waitTimeout: .seconds(5), playbookName: "test", recopy: recopy)
        let plan = try await driver.check(context)
        try await driver.apply(plan, context)
        return plan
    }

    /// 64 files of 256 KiB in two directories: 16 MiB.
    func makeLargeSource() throws -> Int64 {
        var total: Int64 = 0
        for d in 0..<2 {
            let dir = fixture.hostFile("\(Self.source)/maps-\(d)")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for f in 0..<32 {
                var bytes = [UInt8](repeating: 0, count: 256 * 1024)
                for i in stride(from: 0, to: bytes.count, by: 97) { bytes[i] = UInt8(truncatingIfNeeded: d * 131 + f * 7 + i) }
                try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/map-\(f).scd"))
                total += Int64(bytes.count)
            }
        }
        return total
    }

    /// Regular files under a directory by relative path, with inode and size.
    func files(_ hostPath: String) -> [String: (inode: UInt64, size: Int64)] {
        var result: [String: (UInt64, Int64)] = [:]
        let base = fixture.hostFile(hostPath)
        guard let walk = FileManager.default.enumerator(atPath: base) else { return [:] }
        for case let relative as String in walk {
            guard let info = try? FileManager.default.attributesOfItem(atPath: base + "/" + relative),
                  info[.type] as? FileAttributeType == .typeRegular else { continue }
            result[relative] = ((info[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0, (info[.size] as? NSNumber)?.int64Value ?? 0)
        }
        return result
    }

    /// rsync killed (SIGKILL, its whole process group) once it has reported half of the files:
    /// the re-run keeps every file completed before and copies about the other half of the bytes.
    @Test func aCopyKilledAtHalfResumesWithTheOtherHalf() async throws {
        let total = try makeLargeSource()
        let expected = TreeSnapshot(fixture.hostFile(Self.source))
        // The real rsync, killed on a progress condition (its 32nd completed file), not after a time.
        // Its rate is held to 8 MiB/s (31 ms a file) so that on a busy machine it cannot run far
        // ahead of the reader of its output through the pipe's buffer.
        try fixture.fake("rsync", """
            coproc RS { exec /usr/bin/rsync --outbuf=L --bwlimit=8m --out-format='%n' "$@"; }
            count=0
            while read -r line <&"${RS[0]}"; do
              case "$line" in *.scd) count=$((count + 1));; esac
              if [ "$count" -ge 32 ]; then kill -KILL -- -$(ps -o pgid= $$ | tr -d ' '); fi
            done
            wait "$RS_PID"

            """)
        let driver = DataMigrate(id: "content", parameters: .init(from: Self.source, to: Self.target))
        await #expect(throws: HostError.self) { try await migrate(driver) }
        let staging = Self.target + "/.bootstrap-staging"
        let kept = files(staging).filter { !$0.key.hasPrefix(".") && !$0.key.contains("/.") }
        let keptBytes = kept.values.reduce(Int64(0)) { $0 + $1.size }
        #expect(keptBytes >= total * 3 / 10 && keptBytes <= total * 7 / 10, "the kill came at about half: \(keptBytes) of \(total)")

        try FileManager.default.removeItem(atPath: fixture.bin + "/rsync")
        let plan = try await migrate(driver)
        #expect(!plan.hostLines.contains { $0.hasPrefix("rm -rf") && $0.contains(".bootstrap-staging") }, "the staging directory is kept")
        #expect(TreeSnapshot(fixture.hostFile(Self.target), skipping: [DataMigrate.markerName]) == expected)
        // A file rsync did not write again keeps its inode through the moves into place.
        let after = files(Self.target)
        let untouched = kept.filter { after[$0.key]?.inode == $0.value.inode }
        #expect(untouched.count == kept.filter { $0.value.size == 256 * 1024 }.count, "every completed file was kept")
        let copiedAgain = after.filter { name, file in !name.hasPrefix(".") && untouched[name] == nil }.values.reduce(Int64(0)) { $0 + $1.size }
        #expect(copiedAgain >= total * 3 / 10 && copiedAgain <= total * 7 / 10, "the second run copied \(copiedAgain) of \(total) bytes")
    }

    @Test func aVerifiedCopyIsSnapshottedOnceAndVerifyWantsTheSnapshot() async throws {
        try fixture.write(Self.source + "/readme.txt", "maps")
        let driver = DataMigrate(id: "content", parameters: .init(from: Self.source, to: Self.target, dataset: "tank/faf/content"))
        let plan = try await migrate(driver)
        #expect(plan.hostLines.last == "zfs snapshot tank/faf/content@bootstrap-migrated")
        #expect(fixture.snapshots == ["tank/faf/content@bootstrap-migrated"])
        #expect(try await driver.verify(ChangeSet(), fixture.context(fixture.host)) == [])

        // A snapshot that went missing (destroyed by hand) is a drift, and a re-run takes it again without copying.
        try "".write(toFile: fixture.state + "/zfs-snapshots", atomically: true, encoding: .utf8)
        #expect(try await driver.verify(ChangeSet(), fixture.context(fixture.host)) == ["the snapshot tank/faf/content@bootstrap-migrated is missing"])
        fixture.clearRecord()
        let again = try await migrate(driver)
        #expect(again.hostLines == ["zfs snapshot tank/faf/content@bootstrap-migrated"])
        #expect(!fixture.recorded().contains { $0.hasPrefix("rsync") })
        #expect(fixture.snapshots == ["tank/faf/content@bootstrap-migrated"])
    }

    @Test func recopyKeepsWhatItReplacesInASnapshotAndCopiesAgain() async throws {
        try fixture.write(Self.source + "/readme.txt", "maps v1")
        let driver = DataMigrate(id: "volumes", parameters: .init(from: Self.source, to: Self.target, dataset: "tank/faf/content"),
                                 copyName: "content")
        _ = try await migrate(driver)
        // Written on k3s since the cut-over; the source changed too (the reason to copy again).
        try fixture.write(Self.target + "/written-on-k3s.txt", "new")
        try fixture.write(Self.source + "/readme.txt", "maps v2")

        // Without --recopy (or for another volume), a finished copy is left alone.
        #expect(try await migrate(driver, recopy: ["other"]).hostLines.isEmpty)
        let plan = try await migrate(driver, recopy: ["content"])
        #expect(plan.hostLines.first?.hasPrefix("zfs snapshot tank/faf/content@bootstrap-before-recopy-") == true)
        #expect(plan.hostLines.contains { $0.hasPrefix("zfs rename tank/faf/content@bootstrap-migrated tank/faf/content@bootstrap-migrated-") })
        #expect(fixture.text(Self.target + "/readme.txt") == "maps v2")
        #expect(fixture.text(Self.target + "/written-on-k3s.txt") == nil)
        let snapshots = fixture.snapshots
        #expect(snapshots.count == 3)
        #expect(snapshots.filter { $0.hasPrefix("tank/faf/content@bootstrap-before-recopy-") }.count == 1)
        #expect(snapshots.contains("tank/faf/content@bootstrap-migrated"))
        // The guard comes before anything is removed.
        let lines = plan.hostLines
        let removal = try #require(lines.firstIndex { $0.hasPrefix("rm -rf") })
        #expect(lines[..<removal].contains { $0.hasPrefix("zfs snapshot tank/faf/content@bootstrap-before-recopy-") })
    }

    @Test func recopyWithoutADatasetIsRefusedAndChangesNothing() async throws {
        try fixture.write(Self.source + "/readme.txt", "maps")
        let driver = DataMigrate(id: "content", parameters: .init(from: Self.source, to: Self.target))
        _ = try await migrate(driver)
        let error = await #expect(throws: StepError.self) { try await migrate(driver, recopy: ["content"]) }
        #expect(error?.message.contains("no snapshot can keep what the copy would replace") == true)
        #expect(fixture.text(Self.target + "/readme.txt") == "maps")
    }

    /// compose's config/faf-traefik/acme.json into the traefik-acme volume, owned by Traefik's
    /// 65532:65532 with mode 0600 (traefik-helm-chart v27.0.2 `podSecurityContext`; Traefik refuses
    /// a more open acme.json).
    @Test func oneFileGetsTheOwnerAndModeItsReaderNeeds() async throws {
        let acme = "/opt/faf-stack/config/faf-traefik/acme.json", volume = "/tank/faf/traefik-acme"
        try fixture.write(acme, "{\"default\": {\"Certificates\": []}}", mode: 0o644)
        try FileManager.default.createDirectory(atPath: fixture.hostFile(volume), withIntermediateDirectories: true)
        let driver = DataMigrate(id: "acme", parameters: .init(from: acme, to: volume, owner: "65532:65532", fileMode: "0600"))
        let plan = try await migrate(driver)
        #expect(plan.hostLines.first == "rsync --archive --hard-links --xattrs --numeric-ids --delete --chown=65532:65532 --chmod=F0600 "
            + "/opt/faf-stack/config/faf-traefik/acme.json /tank/faf/traefik-acme/.bootstrap-staging/")
        let copied = try FileManager.default.attributesOfItem(atPath: fixture.hostFile(volume + "/acme.json"))
        #expect((copied[.posixPermissions] as? NSNumber)?.uint16Value == 0o600)
        #expect((copied[.ownerAccountID] as? NSNumber)?.uint32Value == 65532)
        #expect((copied[.groupOwnerAccountID] as? NSNumber)?.uint32Value == 65532)
        #expect(fixture.text(volume + "/acme.json") == "{\"default\": {\"Certificates\": []}}")
        #expect(try await driver.verify(ChangeSet(), fixture.context(fixture.host)) == [])
        // The source keeps its own mode and owner.
        let source = try FileManager.default.attributesOfItem(atPath: fixture.hostFile(acme))
        #expect((source[.posixPermissions] as? NSNumber)?.uint16Value == 0o644)
    }
}
