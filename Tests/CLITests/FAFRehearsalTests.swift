import Foundation
import Testing
import TestSupport

/// README's first command: the whole FAF migration, rehearsed.
@Suite struct FAFRehearsalTests {
    static let playbook = Paths.repository + "/playbooks/faf.yaml"
    static let secrets = Paths.repository + "/secrets.example"

    /// Every value in secrets.example (its `key: value` leaves).
    static func secretValues() throws -> [String] {
        try String(contentsOfFile: secrets, encoding: .utf8).split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
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
        #expect(first.stderr.contains("[rabbitmq] waiting for helm-install-rabbitmq Job"))
        #expect(first.stderr.contains("Apply complete: 7 applied, 0 skipped, 0 failed, 0 blocked."))

        let second = try bootstrap(["apply", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal, "--output", "json"])
        #expect(second.status == 0)
        #expect(second.stderr.contains("0 applied, 7 skipped"))
        #expect(second.stdout.contains("\"writes\" : 0") || second.stdout.contains("\"writes\": 0"))

        let plan = try bootstrap(["plan", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal, "--detailed-exitcode"])
        #expect(plan.status == 0, "a plan after apply should find nothing to change: \(plan.stdout)")
        let status = try bootstrap(["status", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal])
        #expect(status.stdout.contains("7 of 7 steps recorded and up to date."))

        // Every compose data directory became a dataset at its predictable path, once.
        let log = try String(contentsOfFile: rehearsal + "/host.log", encoding: .utf8)
        #expect(log.contains("zfs create -p -o mountpoint=/tank/faf/mariadb -o recordsize=16K tank/faf/mariadb"))
        #expect(log.contains("zfs create -p -o mountpoint=/tank/faf/content tank/faf/content"))

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
}
