import Foundation
import Testing
import TestSupport

/// The way back, rehearsed: rollback compares compose's data with what was copied, stops k3s only
/// with --yes, deletes nothing, and says how to bring compose back.
@Suite struct RollbackTests {
    static let playbook = """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: wayback}
        steps:
          - id: k3s
            type: k3s.install
            with: {version: v1.31.4+k3s1, nodeName: node-1, installer: {url: "https://raw.githubusercontent.com/k3s-io/k3s/v1.31.4%2Bk3s1/install.sh", sha256: "\(String(repeating: "ab", count: 32))"}}
          - id: dataset
            type: zfs.dataset
            with: {name: tank/db, mountpoint: /tank/db}
          - id: db
            type: data.migrate
            needs: [dataset]
            with: {from: /opt/faf-stack/data/faf-db, to: /tank/db, dataset: tank/db}

        """

    @Test func rollbackShowsTheSourcesUnchangedStopsK3sAndSaysHowToStartCompose() throws {
        let dir = TemporaryDirectory()
        try dir.write("pb.yaml", Self.playbook)
        try dir.write("r/host/opt/faf-stack/data/faf-db/ibdata1", "rows", mode: 0o644)
        let applied = try bootstrap(["apply", dir.file("pb.yaml"), "--rehearsal", dir.file("r")])
        #expect(applied.status == 0, "\(applied.output)")
        let log = { (try? String(contentsOfFile: dir.file("r/host.log"), encoding: .utf8)) ?? "" }
        #expect(log().contains("zfs snapshot tank/db@bootstrap-migrated"))

        // Without --yes: compares, shows what it would run, runs nothing.
        let dry = try bootstrap(["rollback", dir.file("pb.yaml"), "--rehearsal", dir.file("r")])
        #expect(dry.status == 0, "\(dry.output)")
        #expect(dry.stdout.contains("db    unchanged"), "\(dry.stdout)")
        #expect(dry.stderr.contains("Would run (re-run with --yes):\n  $ systemctl disable --now k3s\n  $ /usr/local/bin/k3s-killall.sh"))
        #expect(dry.stderr.contains("docker compose up -d"))
        #expect(!log().contains("systemctl disable --now k3s"))

        // Compose wrote after the copy: said, and exit 1, but k3s is still stopped on request.
        try dir.write("r/host/opt/faf-stack/data/faf-db/ibdata1", "rows written by compose later", mode: 0o644)
        let stopped = try bootstrap(["rollback", dir.file("pb.yaml"), "--rehearsal", dir.file("r"), "--yes", "--output", "json"])
        #expect(stopped.status == 1, "\(stopped.output)")
        #expect(stopped.stdout.contains("\"source\": \"changed\""), "\(stopped.stdout)")
        #expect(stopped.stderr.contains("Changed since the copy"), "\(stopped.stderr)")
        #expect(log().contains("systemctl disable --now k3s\n/usr/local/bin/k3s-killall.sh"), "\(log())")
        // Nothing deleted: the copy and compose's data are both there.
        #expect(FileManager.default.fileExists(atPath: dir.file("r/host/tank/db/ibdata1")))
        #expect(FileManager.default.fileExists(atPath: dir.file("r/host/opt/faf-stack/data/faf-db/ibdata1")))
    }
}
