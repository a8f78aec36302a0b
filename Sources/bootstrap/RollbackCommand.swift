import ArgumentParser
import Document
import Engine
import FoundationEssentials
import Host
import Platform
import Playbook

/// `bootstrap rollback`: the way back to the compose stack, for what can be automated: it shows
/// whether compose's data is as it was copied, stops k3s and what it runs, and says how to bring
/// compose back. It deletes nothing: the datasets, their snapshots and k3s' datastore stay.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Go back to the compose stack: compare its data with the copy, stop k3s, and say how to start compose again.",
        discussion: """
            Each source a copy was made from is compared with the fingerprint recorded when the copy \
            was verified (names, sizes, modes, owners, modification and change times). Then k3s is \
            stopped and disabled, and its containers stopped (k3s-killall.sh), so compose can bind its \
            ports again. Nothing is deleted. Without --yes it only shows what it would do.
            """)

    @OptionGroup var input: PlaybookInput
    @OptionGroup var cluster: ClusterOptions

    @Flag(help: "Stop k3s; without it, rollback only compares and shows what it would do.")
    var yes = false

    func run() async throws {
        let playbook = try input.load(permissions: cluster.touchesRealSystems ? .refuse : .warn, json: cluster.output == .json)
        let session = try Session.open(cluster, playbook: playbook, targeting: Targeting())
        defer { session.close() }
        let host = session.host
        var states: [CopyState] = []
        for step in playbook.orderedSteps { states += try await step.driver.copyStates(host) }
        let stops = playbook.orderedSteps.flatMap { $0.driver.cluster?.stopCommands ?? [] }
        let changed = states.filter { $0.source == .changed }

        if cluster.output == .json {
            Console.out(JSON.encode(["copies": .array(states.map(Self.json)), "stopped": .bool(yes),
                                     "commands": .array(stops.map { .string($0.description) })], options: .pretty))
        } else {
            Console.out(Self.table(states))
        }
        if yes {
            for command in stops {
                Console.err("$ \(command)")
                try await host.runChecked(command)
            }
            Console.err("k3s is stopped and disabled; its data, the datasets and their snapshots are kept.")
        } else {
            Console.err("Would run (re-run with --yes):\n" + stops.map { "  $ \($0)" }.joined(separator: "\n"))
        }
        Console.err(Self.guidance(states, rehearsal: cluster.rehearsal != nil))
        if !changed.isEmpty { throw ExitCode.of(ExitStatus.failure) }
    }

    static func json(_ state: CopyState) -> Value {
        ["name": .string(state.name), "from": .string(state.from), "to": .string(state.to),
         "copiedAt": state.copiedAt.map(Value.string) ?? .null, "source": .string(state.source.rawValue)]
    }

    static func table(_ states: [CopyState]) -> String {
        let width = max(4, states.map(\.name.count).max() ?? 0)
        var lines = ["NAME".padded(to: width) + "  SOURCE SINCE THE COPY  COPIED AT             FROM"]
        for state in states {
            lines.append(state.name.padded(to: width) + "  " + state.source.rawValue.padded(to: 21) + "  "
                + (state.copiedAt ?? "-").padded(to: 20) + "  " + state.from)
        }
        return lines.joined(separator: "\n")
    }

    /// How to bring compose back, and what becomes of what k3s wrote.
    static func guidance(_ states: [CopyState], rehearsal: Bool) -> String {
        var text = """
            To bring compose back, on the compose host: `cd /opt/faf-stack && docker compose up -d`
            (services that never moved, such as faf-coturn, kept running: `docker compose up -d` leaves them as they are).
            What the services wrote on k3s since the cut-over is in the datasets, not in compose's data:
            `zfs diff DATASET@bootstrap-migrated` lists it; to carry it back, with both stacks stopped,
            `rsync -aHX --numeric-ids --exclude /.bootstrap-migrated DATASET_MOUNTPOINT/ COMPOSE_DATA/FOLDER/`.
            """
        let changed = states.filter { $0.source == .changed }
        if !changed.isEmpty {
            text += "\nChanged since the copy (compose or a person wrote there after the copy): "
                + changed.map { "\($0.name) (\($0.from))" }.joined(separator: ", ") + "; check them before starting compose."
        }
        if rehearsal { text += "\n(rehearsal: the commands were simulated and written to the rehearsal's host.log)" }
        return text
    }
}
