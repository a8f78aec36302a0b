import ArgumentParser
import Playbook
import Document
import Engine
import FoundationEssentials
import Host
import Platform
import Steps

/// `bootstrap verify`: proof from the node that what was migrated works (``LiveChecks``).
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the running system from the node: routes answer through Traefik, ports accept, workloads ready, claims Bound and mounted, RabbitMQ's vhosts and users exist.",
        discussion: """
            Exit 0 only when every check passes. In a rehearsal the network checks are simulated and \
            say so. A real run keeps its results in /var/log/bootstrap/verify-TIME.log (under \
            --host-root), secrets masked.
            """)

    @OptionGroup var input: PlaybookInput
    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let json = cluster.output == .json
        let playbook = try input.load(permissions: cluster.touchesRealSystems ? .refuse : .warn, json: json)
        let session = try Session.open(cluster, playbook: playbook, targeting: Targeting())
        defer { session.close() }
        guard let kube = try await session.connection.connect() else {
            Console.fail("the Kubernetes API is not reachable: nothing to verify yet", playbook: playbook.name, json: json)
            throw ExitCode.of(ExitStatus.failure)
        }
        let rehearsal = cluster.rehearsal != nil
        let ports = playbook.orderedSteps.flatMap(\.driver.hostPorts)
        let brokers = playbook.orderedSteps.flatMap(\.driver.rabbitMQBrokers)
        let checks = try await LiveChecks(kube: kube, host: session.host, rehearsal: rehearsal).run(ports: ports, brokers: brokers, registry: StepCatalog.registry)
        let failed = checks.filter { $0.outcome == .failed }
        let simulated = checks.filter { $0.outcome == .simulated }.count
        let text = Self.table(checks) + "\n" + "\(checks.count - failed.count - simulated) of \(checks.count) checks passed"
            + (simulated > 0 ? ", \(simulated) simulated" : "")
            + (rehearsal ? " (rehearsal: the network checks were simulated; the object checks read the emulator)" : "")
        let document = JSON.encode(["playbook": .string(playbook.name), "rehearsal": .bool(rehearsal),
                                    "checks": .array(checks.map(\.json)), "passed": .bool(failed.isEmpty)], options: .pretty)
        Console.out(Masking.mask(json ? document : text, playbook: playbook))
        if !rehearsal {
            // The run's own log, as host.log is a rehearsal's.
            // Named by the second it ran; a second run within that second gets its own file.
            let stem = "/var/log/bootstrap/verify-\(Timestamp.now().filter { $0 != ":" && $0 != "-" })"
            var path = stem + ".log"
            var n = 1
            while try session.host.status(path) != nil {
                n += 1
                path = "\(stem)-\(n).log"
            }
            try session.host.makeDirectory("/var/log/bootstrap", mode: 0o750, owner: nil)
            try session.host.write(path, Data(Masking.mask(text + "\n" + document + "\n", playbook: playbook).utf8), mode: 0o640, owner: nil)
            Console.err("log: \(path)")
        }
        if !failed.isEmpty { throw ExitCode.of(ExitStatus.failure) }
    }

    static func table(_ checks: [LiveCheck]) -> String {
        let kind = max(5, checks.map(\.kind.count).max() ?? 0), target = max(6, checks.map(\.target.count).max() ?? 0)
        var lines = ["CHECK".padded(to: kind) + "  " + "TARGET".padded(to: target) + "  RESULT     DETAIL"]
        for check in checks {
            lines.append(check.kind.padded(to: kind) + "  " + check.target.padded(to: target) + "  "
                + check.outcome.rawValue.padded(to: 9) + "  " + check.detail)
        }
        return lines.joined(separator: "\n")
    }
}
