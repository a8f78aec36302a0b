import Document
import Foundation
import Testing
import TestSupport

/// `plan --out FILE` then `apply FILE`: exactly the reviewed plan, or a refusal naming what moved.
@Suite struct SavedPlanTests {
    static let playbook = """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: saved}
        steps:
          - id: config
            type: kube.objects
            with:
              objects:
                - {apiVersion: v1, kind: ConfigMap, metadata: {name: settings, namespace: default}, data: {mode: "on"}}
                - apiVersion: v1
                  kind: Secret
                  metadata: {name: creds, namespace: default}
                  stringData: {password: "${{ secrets.password }}"}
        """

    /// An emulator with a kubeconfig, a playbook and a secrets file in a temporary directory.
    struct Setup {
        let dir = TemporaryDirectory()
        let rig: EngineRig
        let kubeconfig: String
        let playbook: String
        let secrets: String
        let plan: String

        init() throws {
            rig = try EngineRig()
            kubeconfig = dir.file("kubeconfig")
            try rig.server.writeKubeconfig(to: kubeconfig)
            playbook = try dir.write("saved.yaml", SavedPlanTests.playbook)
            secrets = try dir.write("secrets.yaml", "password: first-Secret-9Zq\n")
            chmod(secrets, 0o600)
            plan = dir.file("saved.plan")
        }

        func run(_ arguments: [String]) throws -> ProcessResult {
            try bootstrap(arguments + ["--kubeconfig", kubeconfig, "--host-root", dir.file("root")])
        }

        func savePlan() throws {
            let saved = try run(["plan", playbook, "--secrets", secrets, "--out", plan])
            #expect(saved.status == 0, "\(saved.stderr)")
            #expect(saved.stderr.contains("bootstrap apply \(plan)"))
        }

        var settings: Value? { rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "settings") }
    }

    @Test func aSavedPlanIsAppliedAsPlanned() throws {
        let setup = try Setup()
        try setup.savePlan()
        let planFile = try String(contentsOfFile: setup.plan, encoding: .utf8)
        #expect(!planFile.contains("first-Secret-9Zq"))
        #expect(try FileManager.default.attributesOfItem(atPath: setup.plan)[.posixPermissions] as? Int == 0o600)

        let applied = try setup.run(["apply", setup.plan])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(setup.settings?[path: ["data", "mode"]] == "on")
        // A plan holds once: what it planned is done, so applying it again is refused.
        let again = try setup.run(["apply", setup.plan])
        #expect(again.status == 1)
        #expect(again.stderr.contains("step \"config\": planned \"run: new\", now \"skip: recorded"))
    }

    @Test func aChangedPlaybookIsRefused() throws {
        let setup = try Setup()
        try setup.savePlan()
        try SavedPlanTests.playbook.replacingOccurrences(of: "mode: \"on\"", with: "mode: \"off\"")
            .write(toFile: setup.playbook, atomically: true, encoding: .utf8)
        let refused = try setup.run(["apply", setup.plan])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the playbook \(URL(fileURLWithPath: setup.playbook).standardizedFileURL.path) changed since the plan was made"))
        #expect(refused.stderr.contains("nothing was changed"))
        #expect(setup.settings == nil)
    }

    @Test func changedSecretsAreRefusedWithoutPrintingThem() throws {
        let setup = try Setup()
        try setup.savePlan()
        try "password: second-Secret-4Kd\n".write(toFile: setup.secrets, atomically: true, encoding: .utf8)
        chmod(setup.secrets, 0o600)
        let refused = try setup.run(["apply", setup.plan])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the secrets file \(URL(fileURLWithPath: setup.secrets).standardizedFileURL.path) changed since the plan was made"))
        for text in [refused.stdout, refused.stderr, try String(contentsOfFile: setup.plan, encoding: .utf8)] {
            #expect(!text.contains("Secret-4Kd") && !text.contains("Secret-9Zq"))
        }
    }

    @Test func aLiveObjectChangedByAnotherManagerIsRefused() throws {
        let setup = try Setup()
        let first = try setup.run(["apply", setup.playbook, "--yes", "--secrets", setup.secrets])
        #expect(first.status == 0, "\(first.stderr)")
        try SavedPlanTests.playbook.replacingOccurrences(of: "mode: \"on\"", with: "mode: \"off\"")
            .write(toFile: setup.playbook, atomically: true, encoding: .utf8)
        try setup.savePlan()
        // Someone edits the object the plan changes.
        let edit = try EmulatorClient(setup.rig.server).patch("/api/v1/namespaces/default/configmaps/settings",
                                                              #"{"data":{"mode":"edited"}}"#, type: "application/merge-patch+json")
        #expect(edit.status == 200)
        let refused = try setup.run(["apply", setup.plan])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("step \"config\": ConfigMap default/settings differs from the plan"))
        #expect(setup.settings?[path: ["data", "mode"]] == "edited")
    }

    @Test func aSavedPlanCarriesItsOwnOptions() throws {
        let setup = try Setup()
        try setup.savePlan()
        let refused = try setup.run(["apply", setup.plan, "--only", "config"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("a saved plan carries its playbook, secrets and options"))
    }
}

/// `--only` and `--skip`.
@Suite struct TargetingTests {
    static let playbook = """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: targets}
        steps:
          - {id: cluster, type: k3s.install, with: {version: v1.31.4+k3s1, nodeName: dev, installer: {url: "https://get.k3s.io", sha256: "\(String(repeating: "0", count: 64))"}}}
          - {id: ns, type: kube.namespaces, needs: [cluster], with: {names: [faf-apps]}}
          - {id: cm, type: kube.objects, needs: [ns], with: {objects: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: faf-apps}}]}}
        """

    @Test func aSelectedStepWhoseNeedsAreNotThereIsRefused() throws {
        let dir = TemporaryDirectory()
        let playbook = try dir.write("t.yaml", Self.playbook)
        let refused = try bootstrap(["apply", playbook, "--rehearsal", dir.file("r"), "--only", "cm"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("step \"cm\" needs \"ns\", which is neither recorded nor selected: add it to --only, or name it with --skip"))
        #expect(refused.stderr.contains("nothing was changed"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("r/host.log")))
    }

    @Test func skippingTheClusterStepRunsTheRestAgainstAnExistingCluster() throws {
        let dir = TemporaryDirectory()
        let playbook = try dir.write("t.yaml", Self.playbook)
        let rig = try EngineRig()
        let kubeconfig = dir.file("kubeconfig")
        try rig.server.writeKubeconfig(to: kubeconfig)
        // A developer's k3d: the cluster exists; nothing may touch the laptop's host.
        let applied = try bootstrap(["apply", playbook, "--yes", "--kubeconfig", kubeconfig, "--host-root", dir.file("root"), "--skip", "cluster"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "faf-apps", name: "c") != nil)
        #expect(!FileManager.default.fileExists(atPath: dir.file("root/etc/rancher")))
        // Nothing runs on the node, so not even the node's lock is taken (a laptop's /var/lib is not the node's).
        #expect(!FileManager.default.fileExists(atPath: dir.file("root/var/lib/bootstrap")))
        #expect(Set(rig.ledger("targets").keys) == ["ns", "cm"])

        // Once ns is recorded, cm alone may run.
        let only = try bootstrap(["plan", playbook, "--kubeconfig", kubeconfig, "--host-root", dir.file("root"), "--only", "cm"])
        #expect(only.status == 0, "\(only.stderr)")
        #expect(only.stdout.contains("skip: not selected with --only"))
    }
}

/// `apply` on a terminal shows the plan and asks; only `yes` applies.
@Suite struct ConfirmationTests {
    /// Runs bootstrap on a pseudo-terminal (util-linux `script`), typing `answer`.
    func onTerminal(_ arguments: [String], answer: String) throws -> ProcessResult {
        let command = ([Paths.binary] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try runProcess("/bin/sh", ["-c", "printf '%s\\n' \"$ANSWER\" | script -qec \"$COMMAND\" /dev/null"],
                              environment: ["ANSWER": answer, "COMMAND": command, "PATH": "/usr/bin:/bin", "TERM": "dumb"])
    }

    @Test func onlyYesApplies() throws {
        try #require(which("script") != nil, "util-linux script is needed to give bootstrap a terminal")
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("r")
        let declined = try onTerminal(["apply", CLITests.minimal, "--rehearsal", rehearsal], answer: "y")
        #expect(declined.status == 1)
        #expect(declined.stdout.contains("+ Namespace faf-apps (create)"))
        #expect(declined.stdout.contains("Apply cancelled; nothing was changed."))
        #expect(!FileManager.default.fileExists(atPath: rehearsal + "/host.log"))

        let accepted = try onTerminal(["apply", CLITests.minimal, "--rehearsal", rehearsal], answer: "yes")
        #expect(accepted.status == 0, "\(accepted.stdout)")
        #expect(accepted.stdout.contains("Apply complete: 2 applied"))
    }
}
