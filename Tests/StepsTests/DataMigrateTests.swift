import Engine
import Foundation
import Host
import Steps
import Testing
import TestSupport

@Suite struct DataMigrateTests {
    static let source = "/opt/faf-stack/data/faf-db"
    static let target = "/tank/faf/mariadb"
    let fixture: HostFixture
    let driver = DataMigrate(id: "migrate", parameters: .init(from: source, to: target))

    init() throws {
        fixture = try HostFixture()
        try makeSourceTree(fixture.hostFile(Self.source))
        try FileManager.default.createDirectory(atPath: fixture.hostFile(Self.target), withIntermediateDirectories: true)
    }

    func run(_ host: (any HostSystem)? = nil) async throws -> ChangeSet {
        let context = fixture.context(host ?? fixture.host)
        let plan = try await driver.check(context)
        try await driver.apply(plan, context)
        return plan
    }

    var sourceSnapshot: TreeSnapshot { TreeSnapshot(fixture.hostFile(Self.source), withTimes: true) }
    var targetSnapshot: TreeSnapshot { TreeSnapshot(fixture.hostFile(Self.target), skipping: [DataMigrate.markerName]) }

    @Test func copiesExactlyOnce() async throws {
        let before = sourceSnapshot
        let plan = try await run()

        #expect(plan.hostLines == [
            "rsync --archive --hard-links --xattrs --numeric-ids --delete /opt/faf-stack/data/faf-db/. /tank/faf/mariadb/.bootstrap-staging/",
            "mv /tank/faf/mariadb/.bootstrap-staging /tank/faf/mariadb/.bootstrap-copied",
            "mv /tank/faf/mariadb/.bootstrap-copied/dangling-link /tank/faf/mariadb/dangling-link",
            "mv /tank/faf/mariadb/.bootstrap-copied/faf /tank/faf/mariadb/faf",
            "mv /tank/faf/mariadb/.bootstrap-copied/ibdata1 /tank/faf/mariadb/ibdata1",
            "write /tank/faf/mariadb/.bootstrap-migrated (mode 0644)",
            "rm -rf /tank/faf/mariadb/.bootstrap-copied",
        ])
        #expect(targetSnapshot == TreeSnapshot(fixture.hostFile(Self.source)))
        #expect(targetSnapshot.entries["faf/hardlink.ibd"]?.contains("hardlink=faf/game_stats.ibd") == true)
        #expect(targetSnapshot.entries.count == 9)
        #expect(sourceSnapshot == before)
        let marker = try #require(fixture.text(Self.target + "/" + DataMigrate.markerName))
        #expect(marker.contains("\"source\": \"/opt/faf-stack/data/faf-db\""))
        #expect(marker.contains("\"entries\": 9"))
        #expect(marker.contains("\"sourceFingerprint\": \"sha256:"))
        #expect(try await driver.verify(plan, fixture.context(fixture.host)) == [])

        fixture.clearRecord()
        try fixture.fake("rsync", "exit 1\n")
        let second = try await run()
        #expect(second.hostLines.isEmpty)
        #expect(fixture.recorded().isEmpty)
    }

    @Test func copyFailingMidwayLeavesTheSourceAndARerunResumesIt() async throws {
        let before = sourceSnapshot
        // Copies, then loses part of it and fails, as a full disk or a crash would.
        try fixture.fake("rsync", """
            /usr/bin/rsync "$@"
            rm -rf "${@: -1}/faf"
            exit 1

            """)
        await #expect(throws: HostError.self) { try await run() }
        #expect(sourceSnapshot == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.hostFile(Self.target)) == [".bootstrap-staging"])

        try FileManager.default.removeItem(atPath: fixture.bin + "/rsync")
        let plan = try await run()
        // The staging directory is kept: rsync resumes into it.
        #expect(plan.hostLines.first?.hasPrefix("rsync ") == true)
        #expect(!plan.hostLines.contains { $0.hasPrefix("rm -rf /tank/faf/mariadb/.bootstrap-staging") })
        #expect(targetSnapshot == TreeSnapshot(fixture.hostFile(Self.source)))
        #expect(sourceSnapshot == before)
        #expect(fixture.text(Self.target + "/" + DataMigrate.markerName) != nil)
    }

    @Test func interruptedMoveIsFinished() async throws {
        let copied = fixture.hostFile(Self.target + "/.bootstrap-copied")
        let result = try await LocalHost().run(Command(["rsync", "-aH", fixture.hostFile(Self.source) + "/.", copied], changesHost: true))
        #expect(result.status == 0)
        try FileManager.default.moveItem(atPath: copied + "/ibdata1", toPath: fixture.hostFile(Self.target + "/ibdata1"))

        let plan = try await run()
        #expect(!plan.hostLines.contains { $0.hasPrefix("rsync ") })
        #expect(targetSnapshot == TreeSnapshot(fixture.hostFile(Self.source)))
        #expect(fixture.text(Self.target + "/" + DataMigrate.markerName) != nil)
    }

    @Test func nonEmptyTargetWithoutMarkerIsRefused() async throws {
        try fixture.write(Self.target + "/ibdata1", "someone else's data")
        let error = await #expect(throws: StepError.self) { try await run() }
        #expect(error?.message.contains("is not empty (ibdata1) and has no .bootstrap-migrated") == true)
        #expect(fixture.text(Self.target + "/ibdata1") == "someone else's data")
    }

    @Test func missingTargetIsAWarningInPlanAndAnErrorInApply() async throws {
        try FileManager.default.removeItem(atPath: fixture.hostFile(Self.target))
        let plan = try await driver.check(fixture.context(PlanHost(wrapping: fixture.host), mode: .plan))
        #expect(plan.warnings.first?.contains("does not exist yet") == true)
        await #expect(throws: StepError.self) { try await driver.apply(plan, fixture.context(fixture.host)) }
    }
}

/// A migration stopped at any change it makes (copy, each move, the marker, the clean-up),
/// before or after that change lands, finishes on the next run with the exact tree.
@Suite struct DataMigrateCrashTests {
    @Test func stoppedAtEveryHostChangeOfALargeTreeTheRerunConverges() async throws {
        let fixture = try HostFixture()
        let source = "/opt/faf-stack/data/content"
        // A thousand files in four directories, plus top-level files: one move per top-level entry.
        for d in 0..<4 {
            let dir = fixture.hostFile("\(source)/maps-\(d)")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for f in 0..<250 { try Data("map \(d)/\(f)\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/m\(f).scd")) }
        }
        for f in 0..<3 { try Data("top \(f)\n".utf8).write(to: URL(fileURLWithPath: fixture.hostFile("\(source)/readme-\(f).txt"))) }
        let expected = TreeSnapshot(fixture.hostFile(source))

        // The number of changes a clean run makes.
        let cleanTarget = "/tank/clean"
        try FileManager.default.createDirectory(atPath: fixture.hostFile(cleanTarget), withIntermediateDirectories: true)
        let counting = StoppingHost(wrapping: fixture.host, stopAt: .max, afterChange: false)
        let clean = DataMigrate(id: "m", parameters: .init(from: source, to: cleanTarget))
        try await clean.apply(try await clean.check(fixture.context(counting)), fixture.context(counting))
        let changes = counting.changeCount
        #expect(changes >= 10, "copy, a move per entry, marker and clean-up")

        for n in 1...changes {
            for after in [false, true] {
                let target = "/tank/t-\(n)-\(after)"
                try FileManager.default.createDirectory(atPath: fixture.hostFile(target), withIntermediateDirectories: true)
                let driver = DataMigrate(id: "m", parameters: .init(from: source, to: target))
                let stopping = StoppingHost(wrapping: fixture.host, stopAt: n, afterChange: after)
                await #expect(throws: StoppingHost.Stopped.self) {
                    try await driver.apply(try await driver.check(fixture.context(stopping)), fixture.context(stopping))
                }
                // The re-run, on the real host.
                let context = fixture.context(fixture.host)
                try await driver.apply(try await driver.check(context), context)
                #expect(try await driver.verify(ChangeSet(), context) == [], "change \(n) (\(after ? "after" : "before"))")
                #expect(TreeSnapshot(fixture.hostFile(target), skipping: [DataMigrate.markerName]) == expected,
                        "change \(n) (\(after ? "after" : "before")): the tree differs")
                try? FileManager.default.removeItem(atPath: fixture.hostFile(target))
            }
        }
        #expect(TreeSnapshot(fixture.hostFile(source)) == expected, "the source was written")
    }
}
