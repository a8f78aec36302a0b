import Playbook
import Platform
import Kube
import ArgumentParser
import Document
import Emulator
import Engine
import FoundationEssentials
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
    @OptionGroup var target: TargetingOptions
    @OptionGroup var recopy: RecopyOptions

    @Option(help: "How many independent steps may run at once.")
    var parallel = WalkOptions.defaultParallel

    @Flag(help: "Also check recorded steps against live state, and redo drifted ones.")
    var verify = false

    @Option(name: .customLong("force-step"), help: "Run this step even when recorded (repeatable).")
    var forceSteps: [String] = []

    @Option(name: .customLong("fail-step"), help: "Rehearsal only: make this step fail, to rehearse recovery.")
    var failStep: String?

    @Option(name: .customLong("fail-image"),
            help: "Rehearsal only: pods of this image fail, IMAGE=pull|crash|unschedulable|unready (default crash; repeatable).")
    var failImages: [String] = []

    @Option(help: "How long a step may wait for something to become ready, in seconds.")
    var timeout = 300

    @Flag(help: "Apply without asking. Without a terminal to ask on, an apply that changes a real node or cluster needs --yes or a saved plan.")
    var yes = false

    @Option(name: .customLong("lock-timeout"), help: ArgumentHelp(
        "How long to wait for a lock another apply holds (e.g. 90s, 5m, 1h) before exiting 75.", valueName: "DURATION"))
    var lockTimeout: LockTimeout = LockTimeout(seconds: 0)

    func validate() throws {
        if failStep != nil && cluster.rehearsal == nil { throw ValidationError("--fail-step works only with --rehearsal") }
        if !failImages.isEmpty && cluster.rehearsal == nil { throw ValidationError("--fail-image works only with --rehearsal") }
        for spec in failImages where Self.imageFault(spec) == nil {
            throw ValidationError("--fail-image \(spec): the fault must be one of \(ImageFault.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if parallel < 1 { throw ValidationError("--parallel must be at least 1") }
        // A request retried past the lock's lease could land after another apply took over.
        if cluster.retryDeadline >= RunLease.duration {
            throw ValidationError("--retry-deadline must be shorter than the lock's lease (\(RunLease.duration) s)")
        }
    }

    /// What this apply runs: the command line's playbook and options, or a saved plan's.
    struct Request {
        var saved: SavedPlan?
        var input: PlaybookInput
        var targeting: Targeting
        var forceSteps: [String]
        var verify: Bool
    }

    /// The options, as kubectl completes them before it validates and runs: `apply FILE` with a
    /// saved plan applies exactly that plan, or refuses other playbook options.
    func request() throws -> Request {
        let saved = try SavedPlanFile.read(input.playbook)
        if saved != nil, !(forceSteps.isEmpty && !verify && target.only.isEmpty && target.skip.isEmpty && input.secrets == nil && recopy.names.isEmpty) {
            throw ValidationError("a saved plan carries its playbook, secrets and options: give only the plan file and the cluster options")
        }
        return Request(saved: saved, input: try saved.map { try SavedPlanFile.input(of: $0) } ?? self.input,
                       targeting: saved.map { Targeting(only: $0.only.map(Set.init), provided: Set($0.skip)) } ?? target.targeting,
                       forceSteps: saved?.forceSteps ?? self.forceSteps, verify: saved?.verify ?? self.verify)
    }

    func run() async throws {
        let json = cluster.output == .json
        let request = try request()
        let targeting = request.targeting
        let printer = ProgressPrinter(display: .stderr(textOutput: cluster.output == .text))
        let onRetry: @Sendable (RetryNotice) -> Void = { printer.note($0.description) }
        // The cluster is reached while the playbook is read and checked (a no-op re-run is mostly those two).
        let (logger, clientOptions) = Session.client(cluster, onRetry: onRetry)
        let early = EarlyConnection.start(cluster, clientOptions: clientOptions, logger: logger)
        let playbook: CheckedPlaybook
        do {
            playbook = try request.input.load(permissions: cluster.touchesRealSystems ? .refuse : .warn, json: json,
                                              skipped: Array(targeting.provided)) { name, hasSecrets in
                early?.prefetchLedger(playbook: name, key: hasSecrets)
            }
            try checkStepIDs(request.forceSteps + (failStep.map { [$0] } ?? []) + Array(targeting.only ?? []) + Array(targeting.provided), in: playbook)
            try checkFailImages(in: playbook)
        } catch {
            early?.abandon()
            throw error
        }
        let lockWait = LockWait(seconds: lockTimeout.seconds, note: { printer.note($0) })
        let session = try await Session.opened(cluster, playbook: playbook, targeting: targeting, lockWait: lockWait, early: early,
                                               onRetry: onRetry)
        defer { session.close() }
        for spec in failImages { if let (image, fault) = Self.imageFault(spec) { session.emulator?.failImage(image, fault) } }
        let interrupts = RunInterrupts()
        var options = recopy.applied(to: WalkOptions(parallel: parallel, verify: request.verify, forceSteps: Set(request.forceSteps),
                                                     failStep: failStep, waitTimeout: .seconds(timeout), targeting: targeting,
                                                     interruption: interrupts.interruption),
                                     steps: try recopy.steps(in: playbook))
        options.realRun = cluster.rehearsal == nil
        let walker = Walker(host: session.host, connection: session.connection, options: options,
                            progress: { event in printer.handle(event) })
        let planner = Walker(host: session.host, connection: session.connection, options: options)
        guard try await confirmed(request, planner: planner, playbook: playbook) else { return }
        let report: ApplyReport
        do {
            report = try await interrupts.during {
                try await lockWait.retrying { try await walker.apply(playbook) }
            }
            printer.finish()
        } catch {
            printer.finish()
            let exit = ExitStatus.failing(error, playbook: playbook.name, json: json)
            if let signal = interrupts.signal, exit.rawValue == ExitStatus.failure {
                Console.err("interrupted: 0 steps applied; re-run to continue:\n  \(rerunCommand())")
                throw ExitCode.of(signal.exitStatus)
            }
            throw exit
        }
        try finish(report, playbook: playbook, interrupts: interrupts)
    }

    /// Whether to go on: a saved plan must still hold; a person at a terminal sees the plan and
    /// says yes; without one, a change to a real node or cluster needs --yes. False when there is
    /// nothing to do.
    func confirmed(_ request: Request, planner: Walker, playbook: CheckedPlaybook) async throws -> Bool {
        let json = cluster.output == .json
        if let saved = request.saved {
            // The saved plan is the consent, for the target it was made against.
            try await SavedPlanFile.check(saved, input: request.input, playbook: playbook, target: RunTarget.describe(cluster),
                                          planNow: try await planFirst(planner, playbook, json: json), json: json)
        } else if !yes, cluster.output == .text, Console.inputIsTerminal {
            let plan = try await planFirst(planner, playbook, json: json)
            Console.out(Display.stdout.paintPlan(
                Masking.mask(plan.text(playbookPath: request.input.playbook, verbose: cluster.verbose), playbook: playbook)))
            guard plan.hasChanges else {
                Console.out("No changes: the node and the cluster match the playbook.")
                return false
            }
            guard Console.confirm("Apply these changes? Only 'yes' is accepted: ") else {
                Console.err("Apply cancelled; nothing was changed.")
                throw ExitCode.of(ExitStatus.failure)
            }
        } else if !yes, cluster.touchesRealSystems, try await planFirst(planner, playbook, json: json).hasChanges {
            // No one to ask (ssh without -t, cron, --output json): as terraform apply -input=false
            // without -auto-approve, a change to a real node or cluster needs --yes or a saved plan.
            Console.fail("this apply would change the node or the cluster, and no terminal is there to confirm it: "
                + "pass --yes to apply without asking, or review `bootstrap plan … --out FILE` and apply FILE",
                playbook: playbook.name, json: json)
            throw ExitCode.of(ExitStatus.usage)
        }
        return true
    }

    /// The report of a finished (or interrupted) walk: the JSON document, the summary line, and
    /// each failure with the command that continues.
    func finish(_ report: ApplyReport, playbook: CheckedPlaybook, interrupts: RunInterrupts) throws {
        let json = cluster.output == .json
        if json {
            Console.out(Masking.mask(JSON.encode(report.json, options: .pretty), playbook: playbook))
        }
        let accepted = report.preflight.filter { $0.outcome == .placeholder }
        if !accepted.isEmpty {
            // Said once, so a rehearsal of a playbook not yet filled in still runs.
            Console.err("\(cluster.rehearsal != nil ? "rehearsal" : "no change to the node"): accepted \(accepted.count) placeholder\(accepted.count == 1 ? "" : "s") a real run refuses: "
                + accepted.map { "\($0.step ?? "playbook"): \($0.detail)" }.joined(separator: "; "))
        }
        let count = { (word: String) in report.steps.filter { $0.outcome.word == word }.count }
        if let signal = interrupts.signal {
            let stopped = count("interrupted") > 0 ? ", \(count("interrupted")) interrupted" : ""
            Console.err("interrupted: \(count("applied")) steps applied\(stopped), \(count("not started") + count("blocked")) not started; re-run to continue:\n  \(rerunCommand())")
            throw ExitCode.of(signal.exitStatus)
        }
        // The summary is the result of a text run (stdout, as Terraform's "Apply complete!"); with
        // --output json the document on stdout holds it, so the line is only a note on stderr.
        let notSelected = count("not selected") > 0 ? "\(count("not selected")) not selected, " : ""
        let summary = "Apply \(report.failed.isEmpty ? "complete" : "incomplete"): \(count("applied")) applied, \(count("skipped")) skipped, \(notSelected)"
            + "\(count("failed")) failed, \(count("blocked")) blocked. \(report.requests.total) requests, \(report.requests.writes) writes."
        if json { Console.err(summary) } else { Console.out(summary) }
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

    /// `--fail-image` must name an image some step of the playbook runs: a typo would otherwise
    /// rehearse a rollout that succeeds, and the failure path would go untested without a word.
    func checkFailImages(in playbook: CheckedPlaybook) throws {
        guard !failImages.isEmpty else { return }
        var images: Set<String> = []
        for step in playbook.orderedSteps { Self.collectImages(step.parameters.value, into: &images) }
        for spec in failImages {
            guard let (image, _) = Self.imageFault(spec), !images.contains(image) else { continue }
            let hint = suggestion(for: image, among: images.sorted()).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw ValidationError("--fail-image \(spec): no workload of \(playbook.playbook.file) runs the image \"\(image)\"\(hint)")
        }
    }

    /// Every `image` string in a step's parameters (app.workload's, and containers in kube.objects).
    static func collectImages(_ value: Value, into images: inout Set<String>) {
        switch value {
        case .object(let object):
            for (key, child) in object {
                if key == "image", let image = child.stringValue { images.insert(image) } else { collectImages(child, into: &images) }
            }
        case .array(let items): for item in items { collectImages(item, into: &images) }
        default: break
        }
    }

    /// The plan apply shows or checks before it runs, failing as `plan` fails.
    func planFirst(_ planner: Walker, _ playbook: CheckedPlaybook, json: Bool) async throws -> PlanReport {
        do {
            return try await planner.plan(playbook)
        } catch {
            throw ExitStatus.failing(error, playbook: playbook.name, json: json)
        }
    }

    /// A duration on the command line: `90`, `90s`, `5m`, `1h`.
    struct LockTimeout: ExpressibleByArgument, Sendable {
        var seconds: Int
        init(seconds: Int) { self.seconds = seconds }
        init?(argument: String) {
            let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
            var text = Substring(argument), factor = 1
            if let last = text.last, let unit = units[last] { factor = unit; text = text.dropLast() }
            guard let value = Int(text), value >= 0 else { return nil }
            seconds = value * factor
        }
    }

    /// `IMAGE[=FAULT]`; nil when the fault is not known.
    static func imageFault(_ spec: String) -> (String, ImageFault)? {
        let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
        guard let image = parts.first, !image.isEmpty else { return nil }
        guard parts.count == 2 else { return (image, .crash) }
        return ImageFault(rawValue: parts[1]).map { (image, $0) }
    }

    /// This command line again, without the rehearsal-only failure switch.
    func rerunCommand() -> String {
        var words: [String] = []
        var skipNext = false
        for word in CommandLine.arguments.dropFirst() {
            if skipNext { skipNext = false; continue }
            if word == "--fail-step" || word == "--fail-image" { skipNext = true; continue }
            if word.hasPrefix("--fail-step=") || word.hasPrefix("--fail-image=") { continue }
            words.append(word)
        }
        // The path bootstrap was started by, so the line works as given (`.build/release/bootstrap`, `./bootstrap`).
        let invokedAs = CommandLine.arguments.first.flatMap { $0.isEmpty ? nil : $0 } ?? "bootstrap"
        return ([invokedAs] + words).map(shellQuote).joined(separator: " ")
    }
}
