import Kube
import Playbook
import ArgumentParser
import Document
import Engine

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each step as the ledger records it: when, and whether the playbook changed since.")

    @OptionGroup var input: PlaybookInput
    @OptionGroup var cluster: ClusterOptions

    // Not an option of status: accepted only to point to the commands that check live state.
    @Flag(help: .hidden) var verify = false

    func validate() throws {
        if verify {
            throw ValidationError("status reads the ledger and each workload's rollout; to check recorded steps against live state, "
                + "run `bootstrap plan PLAYBOOK --verify` (drift with field diffs) or `bootstrap apply PLAYBOOK --verify` (redoes drifted steps)")
        }
    }

    func run() async throws {
        let playbook = try input.load(permissions: cluster.touchesRealSystems ? .refuse : .warn, json: cluster.output == .json)
        let json = cluster.output == .json
        let session = try await Session.opened(cluster, playbook: playbook)
        defer { session.close() }
        do {
            let report = try await Walker(host: session.host, connection: session.connection).status(playbook)
            switch cluster.output {
            case .text: Console.out(report.text)
            case .json: Console.out(JSON.encode(report.json, options: .pretty))
            }
        } catch {
            throw ExitStatus.failing(error, playbook: playbook.name, json: json)
        }
    }
}
