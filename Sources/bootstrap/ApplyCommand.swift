import ArgumentParser
import Document
import Engine
import Foundation
import Host

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Run the playbook: every step not yet recorded (or changed) runs, then is recorded.",
        discussion: """
            Takes the Lease bootstrap-<playbook> in kube-system so that only one apply runs at a time \
            (a second one exits 75). A re-run after a failure skips recorded steps and redoes the rest. \
            An apply that finds every step recorded and unchanged reads the ledger once and writes nothing.
            """)

    @OptionGroup var input: PlaybookInput
    @OptionGroup var cluster: ClusterOptions

    @Option(help: "How many independent steps may run at once.")
    var parallel = 4

    @Flag(help: "Also check recorded steps against live state, and redo drifted ones.")
    var verify = false

    @Option(name: .customLong("force-step"), help: "Run this step even when recorded (repeatable).")
    var forceSteps: [String] = []

    @Option(name: .customLong("fail-step"), help: "Rehearsal only: make this step fail, to rehearse recovery.")
    var failStep: String?

    @Option(help: "How long a step may wait for something to become ready, in seconds.")
    var timeout = 300

    func validate() throws {
        if failStep != nil && cluster.rehearsal == nil { throw ValidationError("--fail-step works only with --rehearsal") }
        if parallel < 1 { throw ValidationError("--parallel must be at least 1") }
    }

    func run() async throws {
        let playbook = try input.load(permissions: cluster.touchesRealSystems ? .refuse : .warn, json: cluster.output == .json)
        try checkStepIDs(forceSteps + (failStep.map { [$0] } ?? []), in: playbook)
        let json = cluster.output == .json
        let session: Session
        do { session = try Session.open(cluster, playbook: playbook) } catch {
            Console.fail("\(error)", playbook: playbook.name, json: json)
            throw ExitCode.of(ExitStatus.failure)
        }
        defer { session.close() }
        let printer = ProgressPrinter(live: Console.isTerminal && cluster.output == .text)
        let applier = Applier(host: session.host, connection: session.connection, parallel: parallel, verify: verify,
                              forceSteps: Set(forceSteps), failStep: failStep, waitTimeout: .seconds(timeout),
                              progress: { event in printer.handle(event) })
        let report: ApplyReport
        do {
            report = try await applier.apply(playbook)
            printer.finish()
        } catch let held as RunLease.Held {
            printer.finish()
            Console.fail("\(held)", playbook: playbook.name, json: json)
            throw ExitCode.of(ExitStatus.locked)
        } catch {
            printer.finish()
            Console.fail("\(error)", playbook: playbook.name, json: json)
            throw ExitCode.of(ExitStatus.failure)
        }

        if cluster.output == .json {
            Console.out(Masking.mask(JSON.encode(report.json, options: .pretty), playbook: playbook))
        }
        let count = { (word: String) in report.steps.filter { $0.outcome.word == word }.count }
        Console.err("Apply \(report.failed.isEmpty ? "complete" : "incomplete"): \(count("applied")) applied, \(count("skipped")) skipped, "
            + "\(count("failed")) failed, \(count("blocked")) blocked. \(report.requests.total) requests, \(report.requests.writes) writes.")
        guard report.failed.isEmpty else {
            for step in report.steps {
                if case .failed(let message) = step.outcome {
                    Console.err(Masking.mask("error: step \"\(step.id)\" (\(step.type)) failed: \(message)", playbook: playbook))
                }
            }
            if !report.blocked.isEmpty { Console.err("blocked (not run): \(report.blocked.joined(separator: ", "))") }
            Console.err("Fix the cause, then re-run; recorded steps are skipped:\n  \(rerunCommand())")
            throw ExitCode.of(ExitStatus.failure)
        }
    }

    /// This command line again, without the rehearsal-only failure switch.
    func rerunCommand() -> String {
        var words: [String] = []
        var skipNext = false
        for word in CommandLine.arguments.dropFirst() {
            if skipNext { skipNext = false; continue }
            if word == "--fail-step" { skipNext = true; continue }
            if word.hasPrefix("--fail-step=") { continue }
            words.append(word)
        }
        return (["bootstrap"] + words).map(shellQuote).joined(separator: " ")
    }
}
