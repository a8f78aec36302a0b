import Platform
import ArgumentParser
import Document
import Engine
import FoundationEssentials
import Host

/// Saved plans on disk: `plan --out FILE` writes one, `apply FILE` reads and checks it.
enum SavedPlanFile {
    /// The saved plan in `path`, or nil when the file is something else (a playbook).
    static func read(_ path: String) throws -> SavedPlan? {
        guard let data = try? Files.read(path), data.first == UInt8(ascii: "{") else { return nil }
        guard let plan = SavedPlan(json: String(decoding: data, as: UTF8.self)) else {
            Console.err("\(path): error: not a saved plan of this version of bootstrap, nor a playbook")
            throw ExitCode.of(ExitStatus.invalidInput)
        }
        return plan
    }

    /// The playbook and secrets the plan was made from, as command-line input.
    static func input(of plan: SavedPlan) throws -> PlaybookInput {
        try PlaybookInput.parse([plan.playbookPath] + (plan.secretsPath.map { ["--secrets", $0] } ?? []))
    }

    static func write(_ path: String, input: PlaybookInput, report: PlanReport, verify: Bool, forceSteps: [String],
                      target: TargetingOptions, runTarget: String) throws {
        let playbookPath = URL(fileURLWithPath: input.playbook).standardizedFileURL.path
        let secretsPath = input.secretsPath().map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let saved = SavedPlan(playbookPath: playbookPath, playbook: Self.contents(input.playbook) ?? Data(),
                              secretsPath: secretsPath, secrets: secretsPath.flatMap(Self.contents),
                              verify: verify, forceSteps: forceSteps, only: target.onlyIDs.isEmpty ? nil : target.onlyIDs,
                              skip: target.skipIDs, target: runTarget, plan: report.json)
        // Written like the secrets file: it names what will change, and holds a keyed digest of the secrets.
        do {
            try Files.writeAtomically(path, Array((JSON.encode(saved.json, options: .pretty) + "\n").utf8), mode: 0o600, durable: false)
        } catch {
            Console.err("\(path): error: cannot write the plan")
            throw ExitCode.of(ExitStatus.failure)
        }
    }

    /// A file's bytes, or nil when it cannot be read.
    static func contents(_ path: String) -> Data? { (try? Files.read(path)).map { Data($0) } }

    /// Refuses (exit 1, naming what moved) unless planning again now gives the saved plan.
    /// With `json`, the refusal is also a JSON document on stdout, as every failed run's is.
    static func check(_ saved: SavedPlan, input: PlaybookInput, playbook: CheckedPlaybook, target: String, planNow: PlanReport,
                      json: Bool) throws {
        let secretsPath = input.secretsPath().map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let moved = saved.moved(playbook: Self.contents(input.playbook) ?? Data(), secretsPath: secretsPath,
                                secrets: secretsPath.flatMap(Self.contents), target: target,
                                planNow: planNow.json)
        guard moved.isEmpty else {
            Console.fail(Masking.mask("the saved plan no longer holds; nothing was changed:\n"
                + moved.map { "  \($0)" }.joined(separator: "\n")
                + "\nReview a new plan: bootstrap plan \(shellQuote(input.playbook)) --out FILE", playbook: playbook),
                         playbook: playbook.name, json: json)
            throw ExitCode.of(ExitStatus.failure)
        }
    }
}
