import Kube
import Playbook
import Graph
import ArgumentParser
import Document
import Engine
import Host

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would do: each step's action and the exact objects and diffs. Changes nothing.",
        discussion: """
            Reads the ledger and live state; cluster objects are diffed with a server-side dry run. \
            No write request reaches the API and no host command with side effects runs. \
            Secret values print as (sensitive).
            """)

    @OptionGroup var input: PlaybookInput
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var target: TargetingOptions
    @OptionGroup var recopy: RecopyOptions

    @Flag(help: "Exit 2 when there are changes to apply (0 when none).")
    var detailedExitcode = false

    @Flag(help: "Also check recorded steps against live state, and plan to redo drifted ones.")
    var verify = false

    @Option(name: .customLong("force-step"), help: "Plan to run this step even when recorded (repeatable).")
    var forceSteps: [String] = []

    @Option(help: ArgumentHelp("Save the plan to FILE; `bootstrap apply FILE` applies exactly it, or refuses when anything it was made from has moved.",
                               valueName: "FILE"))
    var out: String?

    func run() async throws {
        let playbook = try input.load(permissions: cluster.touchesRealSystems ? .refuse : .warn, json: cluster.output == .json,
                                      skipped: target.skipIDs)
        try checkStepIDs(forceSteps + target.onlyIDs + target.skipIDs, in: playbook)
        let recopySteps = try recopy.steps(in: playbook)
        if !recopySteps.isEmpty && out != nil { throw ValidationError("--recopy is not saved in a plan file: plan and apply it without --out") }
        let json = cluster.output == .json
        let session = try await Session.opened(cluster, playbook: playbook, targeting: target.targeting)
        defer { session.close() }
        var options = recopy.applied(to: WalkOptions(verify: verify, forceSteps: Set(forceSteps), targeting: target.targeting),
                                     steps: recopySteps)
        options.realRun = cluster.rehearsal == nil
        let walker = Walker(host: session.host, connection: session.connection, options: options)
        let report: PlanReport
        do {
            report = try await walker.plan(playbook)
        } catch {
            throw ExitStatus.failing(error, playbook: playbook.name, json: json)
        }
        switch cluster.output {
        case .text: Console.out(Display.stdout.paintPlan(Masking.mask(report.text(playbookPath: input.playbook, verbose: cluster.verbose), playbook: playbook)))
        case .json: Console.out(Masking.mask(JSON.encode(report.json, options: .pretty), playbook: playbook))
        }
        if let out {
            try SavedPlanFile.write(out, input: input, report: report, verify: verify, forceSteps: forceSteps, target: target,
                                   runTarget: RunTarget.describe(cluster))
            Console.err("Saved the plan to \(out). Apply exactly this plan with: bootstrap apply \(shellQuote(out)) (and the same cluster options)")
        }
        if detailedExitcode && report.hasChanges { throw ExitCode.of(ExitStatus.changes) }
    }
}

/// `--force-step` and `--fail-step` must name steps of the playbook.
func checkStepIDs(_ ids: [String], in playbook: CheckedPlaybook) throws {
    for id in ids where playbook.steps[id] == nil {
        let hint = suggestion(for: id, among: playbook.graph.ids).map { " (did you mean \"\($0)\"?)" } ?? ""
        throw ValidationError("no step \"\(id)\" in \(playbook.playbook.file)\(hint)")
    }
}
