import Document
import Foundation
import Testing
import TestSupport

/// README's first command: the whole FAF migration, rehearsed.
@Suite struct FAFRehearsalTests {
    static let playbook = Paths.repository + "/playbooks/faf.yaml"
    static let secrets = Paths.repository + "/secrets.example"

    /// Every value in secrets.example (its `key: value` leaves; a block scalar's lines are one
    /// secret file's text, so its distinctive lines count on their own).
    static func secretValues() throws -> [String] {
        var blockIndent: Int?
        return try String(contentsOfFile: secrets, encoding: .utf8).split(separator: "\n").compactMap { line in
            let indent = line.prefix { $0 == " " }.count
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let block = blockIndent {
                if indent > block || trimmed.isEmpty { return trimmed.contains("change-me") ? trimmed : nil }
                blockIndent = nil
            }
            if trimmed.hasSuffix(": |") { blockIndent = indent; return nil }
            guard !trimmed.hasPrefix("#"), let colon = trimmed.firstIndex(of: ":") else { return nil }
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return value.count >= 8 ? value : nil
        }
    }

    @Test func rehearsalAppliesEverythingThenWritesNothing() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("faf")
        let first = try bootstrap(["apply", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("[faf-rabbitmq] waiting for helm-install-faf-rabbitmq Job"))
        #expect(first.stdout.contains("Apply complete: 33 applied, 0 skipped, 0 failed, 0 blocked."))

        let second = try bootstrap(["apply", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal, "--output", "json"])
        #expect(second.status == 0)
        #expect(second.stderr.contains("0 applied, 33 skipped"), "with --output json the summary is a note on stderr")
        #expect(second.stdout.contains("\"writes\" : 0") || second.stdout.contains("\"writes\": 0"))
        // A no-op re-run reads the ledger and its key and nothing else (no discovery document).
        let report = try JSON.decode(Array(second.stdout.utf8))
        #expect((report[path: ["requests", "total"]]?.intValue ?? 99) <= 2)

        let plan = try bootstrap(["plan", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal, "--detailed-exitcode"])
        #expect(plan.status == 0, "a plan after apply should find nothing to change: \(plan.stdout)")
        let status = try bootstrap(["status", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal])
        #expect(status.stdout.contains("33 of 33 steps recorded and up to date."))
        #expect(status.stdout.contains("up to date; Deployment faf-apps/faf-java-api rolled out, 1/1 ready"))
        #expect(status.stdout.contains("up to date; StatefulSet faf-infra/faf-db rolled out, 1/1 ready"))
        #expect(status.stdout.contains("up to date; Job faf-infra/faf-db-migrations complete"))

        // Every compose data directory became a dataset at its predictable path, once.
        let log = try String(contentsOfFile: rehearsal + "/host.log", encoding: .utf8)
        #expect(log.contains("zfs create -p -o mountpoint=/tank/faf/faf-db -o recordsize=16K tank/faf/faf-db"))
        #expect(log.contains("zfs create -p -o mountpoint=/tank/faf/content tank/faf/content"))

        // FAF's services rolled out; their smoke checks are simulated and say so.
        #expect(first.stderr.contains("[faf-java-api] smoke check simulated in the rehearsal: GET faf-java-api:tcp-8011/actuator/health would expect 200"))
        let cluster = try JSON.decode(Array(try Data(contentsOf: URL(fileURLWithPath: rehearsal + "/cluster.json"))))
        #expect(JSON.encode(cluster).contains("\"updateRevision\""))

        // No secret value from the secrets file in any output, log, annotation or stored object
        // outside the Secrets that carry them (base64 there, as Kubernetes stores them).
        let values = try Self.secretValues()
        #expect(values.count >= 7)
        let state = try String(contentsOfFile: rehearsal + "/cluster.json", encoding: .utf8)
        for value in values {
            for (name, text) in [("apply", first.output + second.output), ("plan", plan.output), ("status", status.output),
                                 ("host.log", log), ("cluster state", state)] {
                #expect(!text.contains(value), "\(name) shows a secret value")
            }
        }
    }

    @Test func planOnAFreshNodeMakesNoWriteAndRunsNothing() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("faf")
        let plan = try bootstrap(["plan", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal, "--output", "json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("\"clusterReachable\" : false") || plan.stdout.contains("\"clusterReachable\": false"))
        let log = (try? String(contentsOfFile: rehearsal + "/host.log", encoding: .utf8)) ?? ""
        #expect(log.split(separator: "\n").allSatisfy { $0.hasPrefix("#") }, "plan ran a host command with side effects: \(log)")
        #expect(!FileManager.default.fileExists(atPath: rehearsal + "/host/etc/rancher/k3s/config.yaml"))
        for value in try Self.secretValues() { #expect(!plan.output.contains(value)) }
    }

    /// `--fail-image` rehearses a broken rollout: the step fails naming the pod and the reason.
    @Test func aFailingImageIsRehearsed() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("faf")
        let failed = try bootstrap(["apply", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal,
                                    "--fail-image", "faforever/faf-java-api:v3.0.4=pull"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("error: step \"faf-java-api\" (app.workload) failed: the rollout of Deployment faf-apps/faf-java-api (faforever/faf-java-api:v3.0.4) failed: pod faf-java-api-"))
        #expect(failed.stderr.contains("ImagePullBackOff: Back-off pulling image \"faforever/faf-java-api:v3.0.4\""))
        #expect(failed.stderr.contains("blocked (not run): faf-website"))
        // The re-run command drops the rehearsal-only switch; run as printed, it completes.
        #expect(!failed.stderr.contains("bootstrap apply") || !failed.stderr.split(separator: "\n").last!.contains("--fail-image"))
        let rerun = try bootstrap(["apply", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("Apply complete: 2 applied, 31 skipped"))
    }

    /// Issue 30's case rehearsed: Hydra has no readiness probe, so its crashing container is Ready
    /// for a moment; the emulated kubelet then shows the exit, the restart and the back-off, and
    /// the settle window fails the step the way a real node would. A re-run with the image still
    /// broken fails again; without the fault it completes.
    @Test func aContainerThatCrashesAfterItsFirstReadyMomentFailsItsStep() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("faf")
        let arguments = ["apply", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal]
        for run in 1...2 {
            let failed = try bootstrap(arguments + ["--fail-image", "oryd/hydra:v1.11.10=crash"])
            #expect(failed.status == 1)
            // k3s' Traefik is a Helm release too: its Deployment is waited for after helm-install-traefik.
            if run == 1 {
                #expect(failed.stderr.contains("[traefik] waiting for the rollout of Deployment kube-system/traefik: its new pods to stay Ready without a restart for 10s"))
            }
            #expect(failed.stderr.contains("error: step \"faf-ory-hydra\" (app.workload) failed: the rollout of Deployment faf-apps/faf-ory-hydra (oryd/hydra:v1.11.10) failed: pod faf-ory-hydra-"), "\(failed.stderr)")
            #expect(failed.stderr.contains(": container faf-ory-hydra ") && failed.stderr.contains("exit code 1, Error)"), "\(failed.stderr)")
            #expect(failed.stderr.contains("its last log lines:\n    starting faf-ory-hydra\n"))
        }
        let rerun = try bootstrap(arguments)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("Apply complete: 1 applied, 32 skipped"), "\(rerun.output)")
    }
}
