import Document
import Foundation
import Testing
import TestSupport

/// Every label apply and status print is true (issue 27's list): steps left out are "not selected",
/// never "recorded" or "blocked"; a Ctrl-C is not a failure; a re-run at a terminal does not list
/// every skipped step; every error reads `error: …`.
@Suite struct LabelTests {
    static let oneService = Paths.repository + "/playbooks/examples/one-service.yaml"

    @Test func stepsOutsideOnlyAreNotSelectedNeitherRecordedNorBlocked() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("r")
        let first = try bootstrap(["apply", Self.oneService, "--rehearsal", rehearsal, "--yes", "--only", "k3s,namespace"])
        #expect(first.status == 0, "\(first.output)")
        #expect(first.stderr.contains("[volumes] not selected with --only"), "\(first.stderr)")
        #expect(!first.stderr.contains("[volumes] skipped (recorded, unchanged)"), "\(first.stderr)")
        #expect(first.stdout.contains("Apply complete: 2 applied, 0 skipped, 4 not selected, 0 failed, 0 blocked."), "\(first.stdout)")

        // The selected step fails: its selected dependent is blocked, the unselected ones are not.
        let failed = try bootstrap(["apply", Self.oneService, "--rehearsal", dir.file("r2"), "--yes", "--only", "k3s,namespace",
                                    "--fail-step", "k3s"])
        #expect(failed.status == 1, "\(failed.output)")
        #expect(failed.stderr.contains("[namespace] blocked: needs \"k3s\""), "\(failed.stderr)")
        #expect(!failed.stderr.contains("[volumes] blocked"), "\(failed.stderr)")
        #expect(failed.stderr.contains("blocked (not run): namespace\n"), "\(failed.stderr)")
        #expect(failed.stdout.contains("1 failed, 1 blocked"), "\(failed.stdout)")
    }

    @Test func aRerunAtATerminalDoesNotListEverySkippedStep() throws {
        try #require(which("script") != nil, "util-linux script is needed to give bootstrap a terminal")
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("r")
        let first = try bootstrap(["apply", Self.oneService, "--rehearsal", rehearsal, "--yes"])
        #expect(first.status == 0, "\(first.output)")
        // A terminal that draws the live block (not TERM=dumb): skipped steps collapse into one line.
        let command = ([Paths.binary, "apply", Self.oneService, "--rehearsal", rehearsal, "--yes", "--force-step", "route"])
            .map { "'\($0)'" }.joined(separator: " ")
        let rerun = try runProcess("/bin/sh", ["-c", "script -qec \"$COMMAND\" /dev/null </dev/null"],
                                   environment: ["COMMAND": command, "PATH": "/usr/bin:/bin", "TERM": "xterm", "NO_COLOR": "1"])
        #expect(rerun.status == 0, "\(rerun.stdout)")
        #expect(!rerun.stdout.contains("skipped (recorded, unchanged)"), "\(rerun.stdout)")
        #expect(rerun.stdout.contains("= 5 steps not run (recorded and unchanged, or not selected)"), "\(rerun.stdout)")
        #expect(rerun.stdout.contains("[route] applied"), "\(rerun.stdout)")
    }

    @Test func failImageMustNameAnImageOfThePlaybook() throws {
        let dir = TemporaryDirectory()
        let result = try bootstrap(["apply", Self.oneService, "--rehearsal", dir.file("r"), "--yes", "--fail-image", "nginx:1.2=pull"])
        #expect(result.status == 64, "\(result.output)")
        #expect(result.stderr.contains("error: --fail-image nginx:1.2=pull: no workload of "), "\(result.stderr)")
        #expect(result.stderr.contains("runs the image \"nginx:1.2\" (did you mean \"nginx:1.20\"?)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("r/host.log")))
    }

    @Test func everyErrorReadsTheSameWay() throws {
        let dir = TemporaryDirectory()
        let usage = try bootstrap(["apply", Self.oneService, "--parallel", "0"])
        #expect(usage.status == 64)
        #expect(usage.stderr.hasPrefix("error: --parallel must be at least 1"), "\(usage.stderr)")
        #expect(!usage.stderr.contains("Error:"), "\(usage.stderr)")
        // A positioned error of a file is printed as it is, not as `error: FILE:2:1: error: …`.
        let kubeconfig = try dir.write("kubeconfig", "clusters: [\n")
        let broken = try bootstrap(["status", Self.oneService, "--kubeconfig", kubeconfig])
        #expect(broken.status != 0)
        #expect(broken.stderr.contains("\(kubeconfig):"), "\(broken.stderr)")
        #expect(!broken.stderr.contains("error: \(kubeconfig)"), "\(broken.stderr)")
    }

    @Test func statusVerifyPointsToPlanVerify() throws {
        let result = try bootstrap(["status", Self.oneService, "--verify"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("run `bootstrap plan PLAYBOOK --verify`"), "\(result.stderr)")
    }

    @Test func aNonEmptyVolumeFolderNamesTheVolumeNotTo() throws {
        let dir = TemporaryDirectory()
        try dir.write("r/host/srv/faf/content/index.html", "someone's page")
        let result = try bootstrap(["apply", Self.oneService, "--rehearsal", dir.file("r"), "--yes"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.stderr.contains("is not empty (index.html)"), "\(result.stderr)")
        #expect(result.stderr.contains("point volume faf-content's `folder` (or `dataRoot`) elsewhere"), "\(result.stderr)")
        #expect(!result.stderr.contains("point `to` elsewhere"), "\(result.stderr)")
    }

    @Test func aDeploymentScaledByHandShowsWhatTheClusterWants() throws {
        let dir = TemporaryDirectory()
        let rig = try EngineRig()
        let kubeconfig = dir.file("kubeconfig")
        try rig.server.writeKubeconfig(to: kubeconfig)
        let playbook = try dir.write("service.yaml", ConsentTests.service)
        let common = ["--kubeconfig", kubeconfig, "--host-root", dir.file("root"), "--skip", "k3s"]
        let applied = try bootstrap(["apply", playbook, "--yes"] + common)
        #expect(applied.status == 0, "\(applied.output)")
        let scaled = try EmulatorClient(rig.server).patch("/apis/apps/v1/namespaces/apps/deployments/web",
                                                          #"{"spec":{"replicas":3}}"#, type: "application/merge-patch+json")
        #expect(scaled.status == 200)
        let status = try bootstrap(["status", playbook] + common.dropLast(2))
        #expect(status.stdout.contains("Deployment apps/web rolled out, 3/3 ready (scaled to 3 by hand; the playbook says 1"), "\(status.output)")
        #expect(!status.stdout.contains("3/1"), "\(status.stdout)")
    }
}
