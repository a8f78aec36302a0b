import Document
import Engine
import Foundation
import Host
import Steps
import Testing
import TestSupport

/// The FAF host steps in playbook order.
func fafHostSteps(installer: K3sInstall.Installer) -> [any StepDriver] {
    [
        ZFSDataset(id: "dataset", parameters: ZFSDatasetTests.mariadb),
        DataMigrate(id: "migrate", parameters: .init(from: DataMigrateTests.source, to: DataMigrateTests.target)),
        HostFile(id: "file", parameters: .init(path: "/etc/faf/token", content: .init(Sensitive("t")), mode: "0600")),
        K3sInstall(id: "k3s", parameters: K3sInstallTests.parameters(installer: installer)),
    ]
}

@Suite struct PlanAndRehearsalTests {
    @Test func planRunsNoSideEffectOnAFreshHost() async throws {
        let fixture = try HostFixture()
        try makeSourceTree(fixture.hostFile(DataMigrateTests.source))
        let before = TreeSnapshot(fixture.root, withTimes: true)
        var actions: [String] = []
        for step in fafHostSteps(installer: .init(file: HostFixture.installerPath)) {
            actions += try await step.check(fixture.context(PlanHost(wrapping: fixture.host), mode: .plan)).hostLines
        }
        #expect(actions.contains("zfs create -p -o mountpoint=/tank/faf/mariadb -o compression=lz4 -o recordsize=16K tank/faf/mariadb"))
        #expect(actions.contains("INSTALL_K3S_VERSION=v1.31.4+k3s1 sh /root/k3s-install.sh"))
        #expect(TreeSnapshot(fixture.root, withTimes: true) == before)
        #expect(fixture.recorded() == ["zfs list -H -p -o name,mountpoint tank/faf/mariadb"])
    }

    @Test func rehearsalLogsWhatThePlanShowsAndSimulatesTheEffects() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rehearsal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let rehearsal = try RehearsalHost(directory: directory, simulations: StepCatalog.rehearsalSimulations)
        try makeSourceTree(rehearsal.path(DataMigrateTests.source))
        let fixture = try HostFixture()
        let installer = K3sInstall.Installer(url: "https://get.k3s.io/", sha256: String(repeating: "0", count: 64))
        #expect(!K3sInstall.isInstalled(on: rehearsal))

        try await K3sInstall.$readiness.withValue(K3sReadiness(api: { _ in true }, node: { _, _ in true })) {
            for step in fafHostSteps(installer: installer) {
                let plan = try await step.check(fixture.context(PlanHost(wrapping: rehearsal), mode: .plan))
                let logged = rehearsal.loggedActions().count
                try await step.apply(plan, fixture.context(rehearsal))
                let changes = rehearsal.loggedActions().dropFirst(logged).filter { !$0.hasPrefix("# ") }
                #expect(Array(changes) == plan.hostLines, "step \(step)")
                #expect(try await step.check(fixture.context(PlanHost(wrapping: rehearsal), mode: .plan)).hostLines == [])
            }
        }
        #expect(K3sInstall.isInstalled(on: rehearsal))
        #expect(try rehearsal.status(K3sPaths.config)?.mode == 0o600)
        #expect(try rehearsal.status("/tank/faf/mariadb/faf/game_stats.ibd")?.size == 100_000)
        #expect(try rehearsal.read("/etc/faf/token") == Data("t".utf8))
        let log = rehearsal.loggedActions()
        #expect(log.contains("# zfs list -H -p -o name,mountpoint tank/faf/mariadb"))
        #expect(log.contains("curl -sfL https://get.k3s.io/ -o /var/lib/bootstrap/k3s-install.sh"))
        #expect(log.contains("INSTALL_K3S_VERSION=v1.31.4+k3s1 sh /var/lib/bootstrap/k3s-install.sh"))
        #expect(!log.joined().contains(directory))
    }
}
