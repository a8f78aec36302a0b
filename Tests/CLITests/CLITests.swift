import Document
import Foundation
import Platform
import Testing
import TestSupport
@testable import bootstrap

/// The `bootstrap` binary as a user runs it: exit codes, messages, rehearsals.
@Suite struct CLITests {
    static let minimal = Paths.repository + "/playbooks/examples/minimal.yaml"

    @Test func usageErrorsExit64() throws {
        let result = try bootstrap(["validate", Self.minimal, "--no-such-flag"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--no-such-flag"))
    }

    @Test func missingPlaybookExits66NamingTheFile() throws {
        let result = try bootstrap(["validate", "no-such-playbook.yaml"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("no-such-playbook.yaml: error: cannot read playbook: no such file"))
    }

    @Test func invalidPlaybookExits65WithPositions() throws {
        let dir = TemporaryDirectory()
        let path = try dir.write("broken.yaml", "apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: x}\nsteps:\n  - id: a\n    type: kube.namespaces\n    needs: [b]\n    with: {names: [a]}\n")
        let result = try bootstrap(["validate", path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("broken.yaml:7:13: error: step \"a\" needs unknown step \"b\""))
        #expect(result.stderr.contains("nothing was changed"))
    }

    @Test func everyShippedPlaybookValidates() throws {
        let root = Paths.repository + "/playbooks"
        // Files under a config/ folder are what workloads mount, under charts/ what helm.chart sends
        // (chartDirectory), not playbooks; a playbook with its own secrets.example beside it (an
        // imported one, say) is checked with that one.
        let files = FileManager.default.enumerator(atPath: root)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".yaml") }
            .filter { path in !["config/", "charts/"].contains { path.hasPrefix($0) || path.contains("/" + $0) } }
        #expect(!files.isEmpty)
        for file in files {
            let beside = root + "/" + (file as NSString).deletingLastPathComponent + "/secrets.example"
            let secrets = file.contains("/") && FileManager.default.fileExists(atPath: beside) ? beside : Paths.repository + "/secrets.example"
            let result = try bootstrap(["validate", root + "/" + file, "--secrets", secrets])
            #expect(result.status == 0, "\(file): \(result.stderr)")
        }
    }

    @Test func graphRendersDotAndMermaid() throws {
        let dot = try bootstrap(["graph", Self.minimal, "--format", "dot"])
        #expect(dot.status == 0)
        #expect(dot.stdout.contains("\"k3s\" -> \"namespaces\";"))
        let mermaid = try bootstrap(["graph", Self.minimal, "--format", "mermaid"])
        #expect(mermaid.stdout.hasPrefix("flowchart LR"))
    }

    @Test func graphAsJSONListsStepsInRunOrderWithTypeAndNeeds() throws {
        let result = try bootstrap(["graph", Self.minimal, "--output", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let graph = try JSON.decode(result.stdout)
        #expect(graph["playbook"] == "minimal")
        #expect(graph["steps"] == [
            ["id": "k3s", "type": "k3s.install", "needs": []],
            ["id": "namespaces", "type": "kube.namespaces", "needs": ["k3s"]],
        ])

        let mixed = try bootstrap(["graph", Self.minimal, "--output", "json", "--format", "dot"])
        #expect(mixed.status == 64)
        #expect(mixed.stderr.contains("--output json cannot be combined with --format dot"))
    }

    @Test func rehearsalFailureNamesTheStepAndTheRerunCommand() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("rehearsal")
        let failed = try bootstrap(["apply", Self.minimal, "--rehearsal", rehearsal, "--fail-step", "namespaces"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("error: step \"namespaces\" (kube.namespaces) failed"))
        #expect(failed.stderr.contains("re-run"))
        #expect(failed.stderr.contains("bootstrap apply \(Self.minimal) --rehearsal \(rehearsal)\n") || failed.stderr.hasSuffix("--rehearsal \(rehearsal)\n"))

        let status = try bootstrap(["status", Self.minimal, "--rehearsal", rehearsal])
        #expect(status.stdout.contains("k3s"))
        #expect(status.stdout.contains("namespaces  not recorded"))

        let rerun = try bootstrap(["apply", Self.minimal, "--rehearsal", rehearsal])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("[k3s] skipped"))
        #expect(rerun.stdout.contains("1 applied, 1 skipped"))
        // The installer ran once, in the first apply only.
        let log = try String(contentsOfFile: rehearsal + "/host.log", encoding: .utf8)
        #expect(log.components(separatedBy: "\n").filter { $0.hasPrefix("INSTALL_K3S_VERSION=") }.count == 1)
    }

    @Test func failStepIsOnlyForRehearsals() throws {
        let result = try bootstrap(["apply", Self.minimal, "--yes", "--fail-step", "k3s"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--fail-step works only with --rehearsal"))
    }

    /// `--only "$STEPS"` with STEPS unset must not run every step (the k3s install and the copies included).
    @Test func anEmptyOnlyOrSkipIsAUsageError() throws {
        let dir = TemporaryDirectory()
        for arguments in [["--only", ""], ["--skip", ""], ["--only=,"], ["--only", "k3s,"]] {
            for command in ["plan", "apply"] {
                let result = try bootstrap([command, Self.minimal, "--rehearsal", dir.file("r")] + arguments)
                #expect(result.status == 64, "\(command) \(arguments): \(result.stderr)")
                #expect(result.stderr.contains("name at least one step id"), "\(result.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("r") + "/host.log"))
    }

    @Test func planOnAFreshNodeShowsHostActionsAndChangesNothing() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("r")
        let plan = try bootstrap(["plan", Self.minimal, "--rehearsal", rehearsal, "--detailed-exitcode"])
        #expect(plan.status == 2)
        #expect(plan.stdout.contains("$ INSTALL_K3S_VERSION=v1.31.4+k3s1 sh /var/lib/bootstrap/k3s-install.sh"))
        #expect(plan.stdout.contains("run: new (runs after \"k3s\" has brought up the cluster)"))
        let log = (try? String(contentsOfFile: rehearsal + "/host.log", encoding: .utf8)) ?? ""
        #expect(!log.split(separator: "\n").contains { !$0.hasPrefix("#") }, "plan changed the host: \(log)")
    }

    @Test func looseSecretsFileIsRefusedForRealRunsOnly() throws {
        let dir = TemporaryDirectory()
        let secrets = try dir.write("secrets.yaml", "x: y\n", mode: 0o644)
        let validate = try bootstrap(["validate", Self.minimal, "--secrets", secrets])
        #expect(validate.status == 0)
        #expect(validate.stderr.contains("warning: secrets file is readable by group or others (mode 0644)"))
        let real = try bootstrap(["plan", Self.minimal, "--secrets", secrets, "--host-root", dir.file("root")])
        #expect(real.status == 65)
        #expect(real.stderr.contains("\(secrets):1:1: error: secrets file is readable by group or others (mode 0644); run: chmod 600 \(secrets)"))
    }
}

/// The output masking pass on its own.
@Suite struct MaskingTests {
    @Test func replacesEveryOccurrenceOfEverySecretAndNothingElse() {
        let masked = Masking.mask("a=hunter2; b=hunter2hunter2; c=s3cr3t; d=hunter", secrets: ["hunter2", "s3cr3t"])
        #expect(masked == "a=(sensitive); b=(sensitive)(sensitive); c=(sensitive); d=hunter")
        #expect(Masking.mask("nothing here", secrets: ["hunter2"]) == "nothing here")
        #expect(Masking.mask("ends with hunter2", secrets: ["hunter2"]) == "ends with (sensitive)")
        #expect(Masking.mask("é hunter2 é", secrets: ["hunter2"]) == "é (sensitive) é")
    }
}

/// host.file with content from the secrets file, end to end in a rehearsal.
@Suite struct HostFileSecretTests {
    @Test func contentFromTheSecretsFileIsWrittenButNeverShown() throws {
        let dir = TemporaryDirectory()
        let playbook = try dir.write("hf.yaml", """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: hf}
            steps:
              - id: motd
                type: host.file
                with: {path: /etc/faf/motd, content: "${{ secrets.motd }}", mode: "0640"}

            """)
        let secrets = try dir.write("secrets.yaml", "motd: \"welcome-to-faf-7Qx\"\n")
        let plan = try bootstrap(["plan", playbook, "--secrets", secrets, "--rehearsal", dir.file("r"), "--output", "json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let apply = try bootstrap(["apply", playbook, "--secrets", secrets, "--rehearsal", dir.file("r")])
        #expect(apply.status == 0, "\(apply.stderr)")
        let written = try String(contentsOfFile: dir.file("r/host/etc/faf/motd"), encoding: .utf8)
        #expect(written == "welcome-to-faf-7Qx")
        let log = try String(contentsOfFile: dir.file("r/host.log"), encoding: .utf8)
        for text in [plan.output, apply.output, log] { #expect(!text.contains("welcome-to-faf-7Qx")) }
    }
}

/// An API server that does not answer: a clear error, exit 1, nothing changed.
@Suite struct UnreachableAPITests {
    /// By default a port nothing listens on.
    static func deadKubeconfig(in dir: TemporaryDirectory, server: String = "http://127.0.0.1:1") throws -> String {
        try dir.write("dead.kubeconfig", """
            apiVersion: v1
            kind: Config
            clusters: [{name: dead, cluster: {server: "\(server)"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: dead, context: {cluster: dead, user: u}}]
            current-context: dead

            """)
    }

    @Test func applyNamesTheLedgerAndChangesNothing() throws {
        let dir = TemporaryDirectory()
        let kubeconfig = try Self.deadKubeconfig(in: dir)
        let root = dir.file("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // Refused connections are retried, here for one second only.
        let result = try bootstrap(["apply", CLITests.minimal, "--yes", "--kubeconfig", kubeconfig, "--host-root", root, "--retry-deadline", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: cannot read the ledger (ConfigMap kube-system/bootstrap-minimal): "
            + "GET /api/v1/namespaces/kube-system/configmaps/bootstrap-minimal: connection refused by http://127.0.0.1:1"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was changed"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty)
    }

    /// The ledger is read while the playbook is checked, in one attempt that no one waits for
    /// when the playbook does not check: a mistake is reported at once, not after the retry
    /// deadline (20 s) of a server that refuses connections, nor after the request timeout (60 s)
    /// of one that takes the connection and never answers (hung, or overloaded on migration day;
    /// here a listener that never accepts: the kernel completes the connection and keeps the
    /// request). `timeout` ends a run that waits for either (exit 124).
    @Test(arguments: [false, true])
    func aPlaybookThatDoesNotCheckIsReportedAtOnce(silentServer: Bool) throws {
        let listener = silentServer ? try TCPListener(host: "127.0.0.1", port: 0) : nil
        defer { listener?.close() }
        let dir = TemporaryDirectory()
        let kubeconfig = try Self.deadKubeconfig(in: dir, server: listener.map { "http://127.0.0.1:\($0.port)" } ?? "http://127.0.0.1:1")
        let playbook = try dir.write("pb.yaml", """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: typo}
            steps:
              - {id: ns, type: kube.namespace, with: {names: [a]}}

            """)
        let root = dir.file("root")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let result = try runProcess("/usr/bin/timeout", ["30", Paths.binary, "apply", playbook, "--yes", "--kubeconfig", kubeconfig, "--host-root", root])
        #expect(result.status == 65, "exit 124: the run waited for the server")
        #expect(result.stderr.contains("unknown type \"kube.namespace\""), "\(result.stderr)")
        #expect(!result.stderr.contains("retrying"), "\(result.stderr)")
    }
}
