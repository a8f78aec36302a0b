import Graph
import Document
import Playbook

/// Whether a step runs, and why. This file is the one place that decides: from the step's ledger
/// record, its digest now, `--force-step`, and with `--verify` its live drift.
public struct Decision: Sendable, Equatable {
    public enum Action: String, Sendable { case run, skip }
    public var action: Action
    public var reason: String
    /// False for a step `--only` or `--skip` leaves out: neither run nor checked, `--verify` included.
    public var selected: Bool

    public init(action: Action, reason: String, selected: Bool = true) {
        self.action = action
        self.reason = reason
        self.selected = selected
    }

    /// The decision from the ledger and the command line's selection.
    public static func make(record: Ledger.Record?, digest: String?, forced: Bool, target: Targeting = Targeting(), step: String = "") -> Decision {
        if target.provided.contains(step) {
            return Decision(action: .skip, reason: "skipped with --skip: taken as provided by the environment", selected: false)
        }
        if let only = target.only, !only.contains(step) { return Decision(action: .skip, reason: "not selected with --only", selected: false) }
        if forced { return Decision(action: .run, reason: "forced with --force-step") }
        guard let record else { return Decision(action: .run, reason: "new") }
        guard let digest else {
            return Decision(action: .run, reason: "recorded \(record.completedAt), but its secrets cannot be compared without the ledger key")
        }
        if record.digest == digest { return Decision(action: .skip, reason: "recorded \(record.completedAt), unchanged") }
        return Decision(action: .run, reason: "changed since it was recorded \(record.completedAt)")
    }

    /// Whether a step the ledger would skip must be checked against live state first (`--verify`);
    /// never one the selection leaves out.
    func needsVerification(_ verify: Bool) -> Bool { action == .skip && verify && selected }

    /// After checking live state: a recorded step whose effect drifted runs again.
    func verified(drift: [String]) -> Decision {
        guard action == .skip else { return self }
        if drift.isEmpty { return Decision(action: .skip, reason: reason + ", verified") }
        return Decision(action: .run, reason: "drifted: " + drift.joined(separator: "; "))
    }
}

/// `--only` and `--skip`: which steps a run touches.
public struct Targeting: Sendable, Equatable {
    /// Only these steps run; nil runs every step.
    public var only: Set<String>?
    /// These steps do not run, and count as done for the steps that need them: the environment
    /// provides them (`--skip k3s` on a developer's k3d, whose cluster exists already).
    public var provided: Set<String>

    public init(only: Set<String>? = nil, provided: Set<String> = []) {
        self.only = only
        self.provided = provided
    }

    public var isEverything: Bool { only == nil && provided.isEmpty }

    /// Whether the step runs in this selection.
    public func selects(_ step: String) -> Bool { !provided.contains(step) && (only?.contains(step) ?? true) }

    /// Selected steps whose needs are neither selected, recorded nor provided: running them would
    /// build on something that is not there.
    func unmetNeeds(_ playbook: CheckedPlaybook, records: [String: Ledger.Record]) -> [String] {
        guard !isEverything else { return [] }
        var problems: [String] = []
        for id in playbook.graph.order where selects(id) {
            for need in playbook.graph.needs[id] ?? [] where !selects(need) && !provided.contains(need) && records[need] == nil {
                problems.append("step \"\(id)\" needs \"\(need)\", which is neither recorded nor selected: add it to --only, "
                    + "or name it with --skip if the environment provides it (a cluster that exists already)")
            }
        }
        return problems
    }
}

/// The command line selects steps whose needs are not there; nothing was changed.
public struct UnmetNeeds: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String { problems.joined(separator: "\n") + "\nnothing was changed" }
}

extension CheckedPlaybook {
    /// Whether any step's parameters hold a secret (then digests need the ledger key).
    public var usesSecrets: Bool { steps.values.contains { $0.parameters.value.containsSensitive } }
}
