import Document
import Foundation
import Testing
import TestSupport

/// Consent to change a real node or cluster: a person's `yes` at a terminal, `--yes`, or a saved
/// plan for exactly this target; and an interactive re-run after a failure runs what failed.
@Suite struct ConsentTests {
    @Test func withoutATerminalAChangeNeedsYes() throws {
        let setup = try SavedPlanTests.Setup()
        let refused = try setup.run(["apply", setup.playbook, "--secrets", setup.secrets])
        #expect(refused.status == 64, "\(refused.output)")
        #expect(refused.stderr.contains("no terminal is there to confirm it: pass --yes"), "\(refused.stderr)")
        #expect(setup.settings == nil, "nothing was applied")
        #expect(setup.rig.ledger("saved").isEmpty)

        let applied = try setup.run(["apply", setup.playbook, "--secrets", setup.secrets, "--yes"])
        #expect(applied.status == 0, "\(applied.output)")
        #expect(setup.settings != nil)
        // Nothing to change: no consent needed.
        let noop = try setup.run(["apply", setup.playbook, "--secrets", setup.secrets])
        #expect(noop.status == 0, "\(noop.output)")
        #expect(noop.stdout.contains("0 applied, 1 skipped"), "\(noop.output)")
    }

    @Test func aSavedPlanIsConsentForItsTargetOnly() throws {
        let setup = try SavedPlanTests.Setup()
        try setup.savePlan()
        let planFile = try String(contentsOfFile: setup.plan, encoding: .utf8)
        #expect(planFile.contains("API server \(setup.rig.server.baseURL)"), "\(planFile)")
        // The same plan against another cluster (another API server) is refused.
        let other = try EngineRig()
        let otherConfig = setup.dir.file("other.kubeconfig")
        try other.server.writeKubeconfig(to: otherConfig)
        let refused = try bootstrap(["apply", setup.plan, "--kubeconfig", otherConfig, "--host-root", setup.dir.file("root")])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.stderr.contains("the plan was made for host root"), "\(refused.stderr)")
        #expect(refused.stderr.contains("this run targets host root"), "\(refused.stderr)")
        #expect(other.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "settings") == nil)
        // Its own target, without --yes and without a terminal: the plan is the consent.
        let applied = try setup.run(["apply", setup.plan])
        #expect(applied.status == 0, "\(applied.output)")
        #expect(setup.settings != nil)
    }

    @Test func aRehearsalPlanDoesNotApplyToAnotherRehearsal() throws {
        let dir = TemporaryDirectory()
        let plan = dir.file("p.plan")
        let saved = try bootstrap(["plan", StreamTests.minimal, "--rehearsal", dir.file("a"), "--out", plan])
        #expect(saved.status == 0, "\(saved.output)")
        let refused = try bootstrap(["apply", plan, "--rehearsal", dir.file("b")])
        #expect(refused.status == 1, "\(refused.output)")
        let (a, b) = (URL(fileURLWithPath: dir.file("a")).standardizedFileURL.path, URL(fileURLWithPath: dir.file("b")).standardizedFileURL.path)
        #expect(refused.stderr.contains("the plan was made for rehearsal \(a), this run targets rehearsal \(b)"),
                "\(refused.stderr)")
        let log = (try? String(contentsOfFile: dir.file("b/host.log"), encoding: .utf8)) ?? ""
        #expect(!log.contains("install"), "\(log)")
    }

    static let service = """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: service}
        steps:
          - id: k3s
            type: k3s.install
            with: {version: v1.31.4+k3s1, nodeName: node-1, installer: {url: "https://get.k3s.io"}}
          - id: namespaces
            type: kube.namespaces
            needs: [k3s]
            with: {names: [apps]}
          - id: web
            type: app.workload
            needs: [namespaces]
            with:
              name: web
              namespace: apps
              image: nginx:1.27.3
              ports: [{name: http, port: 80}]
              resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 100m, memory: 64Mi}}
        """

    /// Issue 27's first item: after a failed rollout, the interactive re-run showed "Plan: 1 step
    /// to run", then "No changes" and exited 0 without running it (its objects were unchanged).
    @Test func anInteractiveRerunAfterAFailedRolloutRunsTheFailedStep() throws {
        try #require(which("script") != nil, "util-linux script is needed to give bootstrap a terminal")
        let dir = TemporaryDirectory()
        let playbook = try dir.write("service.yaml", Self.service)
        let rehearsal = dir.file("r")
        let failed = try bootstrap(["apply", playbook, "--rehearsal", rehearsal, "--yes", "--fail-image", "nginx:1.27.3=crash"])
        #expect(failed.status == 1, "\(failed.output)")
        #expect(failed.stderr.contains("error: step \"web\" (app.workload) failed"), "\(failed.stderr)")

        let rerun = try ConfirmationTests().onTerminal(["apply", playbook, "--rehearsal", rehearsal], answer: "yes")
        #expect(rerun.stdout.contains("Plan: 1 step to run"), "\(rerun.stdout)")
        #expect(!rerun.stdout.contains("No changes"), "\(rerun.stdout)")
        #expect(rerun.stdout.contains("Apply complete: 1 applied, 2 skipped"), "\(rerun.stdout)")
        #expect(rerun.status == 0, "\(rerun.stdout)")
        let status = try bootstrap(["status", playbook, "--rehearsal", rehearsal])
        #expect(status.stdout.contains("3 of 3 steps recorded"), "\(status.output)")
    }
}
