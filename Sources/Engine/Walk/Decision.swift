import Playbook

/// Whether a step runs, and why. This file is the one place that decides: from the step's ledger
/// record, its digest now, `--force-step`, and with `--verify` its live drift.
public struct Decision: Sendable, Equatable {
    public enum Action: String, Sendable { case run, skip }
    public var action: Action
    public var reason: String

    /// The decision from the ledger alone.
    static func make(record: Ledger.Record?, digest: String?, forced: Bool) -> Decision {
        if forced { return Decision(action: .run, reason: "forced with --force-step") }
        guard let record else { return Decision(action: .run, reason: "new") }
        guard let digest else {
            return Decision(action: .run, reason: "recorded \(record.completedAt), but its secrets cannot be compared without the ledger key")
        }
        if record.digest == digest { return Decision(action: .skip, reason: "recorded \(record.completedAt), unchanged") }
        return Decision(action: .run, reason: "changed since it was recorded \(record.completedAt)")
    }

    /// Whether a step the ledger would skip must be checked against live state first (`--verify`).
    func needsVerification(_ verify: Bool) -> Bool { action == .skip && verify }

    /// After checking live state: a recorded step whose effect drifted runs again.
    func verified(drift: [String]) -> Decision {
        guard action == .skip else { return self }
        if drift.isEmpty { return Decision(action: .skip, reason: reason + ", verified") }
        return Decision(action: .run, reason: "drifted: " + drift.joined(separator: "; "))
    }
}

extension CheckedPlaybook {
    /// Whether any step's parameters hold a secret (then digests need the ledger key).
    public var usesSecrets: Bool { steps.values.contains { $0.parameters.value.containsSensitive } }
}
