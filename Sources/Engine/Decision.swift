import Playbook

/// Whether a step runs, and why, from its ledger record and its digest now.
public struct Decision: Sendable, Equatable {
    public enum Action: String, Sendable { case run, skip }
    public var action: Action
    public var reason: String

    static func make(record: Ledger.Record?, digest: String?, forced: Bool) -> Decision {
        if forced { return Decision(action: .run, reason: "forced with --force-step") }
        guard let record else { return Decision(action: .run, reason: "new") }
        guard let digest else {
            return Decision(action: .run, reason: "recorded \(record.completedAt), but its secrets cannot be compared without the ledger key")
        }
        if record.digest == digest { return Decision(action: .skip, reason: "recorded \(record.completedAt), unchanged") }
        return Decision(action: .run, reason: "changed since it was recorded \(record.completedAt)")
    }
}

extension CheckedPlaybook {
    /// Whether any step's parameters hold a secret (then digests need the ledger key).
    public var usesSecrets: Bool { steps.values.contains { $0.parameters.value.containsSensitive } }
}
