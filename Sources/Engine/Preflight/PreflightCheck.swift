import Document

/// One check of the node before the first change: `plan` shows it, `apply` refuses to start while
/// one fails, as Terraform's preconditions stop a plan before anything is created.
public struct PreflightCheck: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        case passed
        case failed
        /// A placeholder (the all-zero digest, `change-me`, `example.com`, an installer URL that can
        /// change): a real run refuses it, a rehearsal accepts it and says so.
        case placeholder
    }

    /// The step the check belongs to, or nil for the playbook as a whole.
    public var step: String?
    /// What is checked, e.g. `compose stopped`, `pool room`, `port free`, `no placeholder`.
    public var check: String
    public var outcome: Outcome
    /// What was found, for the operator; never a secret value.
    public var detail: String

    public init(step: String?, check: String, outcome: Outcome, detail: String) {
        self.step = step
        self.check = check
        self.outcome = outcome
        self.detail = detail
    }

    public static func passed(_ step: String?, _ check: String, _ detail: String) -> Self { .init(step: step, check: check, outcome: .passed, detail: detail) }
    public static func failed(_ step: String?, _ check: String, _ detail: String) -> Self { .init(step: step, check: check, outcome: .failed, detail: detail) }

    /// Whether this check stops a run (`rehearsal`: placeholders are accepted).
    public func blocks(rehearsal: Bool) -> Bool { outcome == .failed || (outcome == .placeholder && !rehearsal) }

    public var json: Value {
        ["step": step.map(Value.string) ?? .null, "check": .string(check), "outcome": .string(outcome.rawValue), "detail": .string(detail)]
    }
}

/// The pre-flight found something that must change before the first change: nothing was changed.
public struct PreflightFailed: Error, Sendable, CustomStringConvertible {
    public var checks: [PreflightCheck]
    public init(checks: [PreflightCheck]) { self.checks = checks }
    public var description: String {
        "the pre-flight failed; nothing was changed:\n" + checks.map { "  \(PreflightCheck.render($0, rehearsal: false))" }.joined(separator: "\n")
    }
}

extension PreflightCheck {
    /// `✗ faf-db: compose stopped: faf-db (container) mounts /opt/faf-stack/data/faf-db`
    static func render(_ check: PreflightCheck, rehearsal: Bool) -> String {
        let mark = switch check.outcome {
        case .passed: "ok"
        case .failed: "FAILED"
        case .placeholder: rehearsal ? "accepted (not a run on the node)" : "FAILED (placeholder)"
        }
        return "\(mark): \(check.step.map { "\($0): " } ?? "")\(check.check): \(check.detail)"
    }

    /// The pre-flight section of a plan's text.
    public static func text(_ checks: [PreflightCheck], rehearsal: Bool) -> [String] {
        guard !checks.isEmpty else { return [] }
        var lines = ["Pre-flight (checked before the first change; apply refuses to start while one fails):"]
        let accepted = rehearsal ? checks.filter { $0.outcome == .placeholder } : []
        lines += checks.filter { !(rehearsal && $0.outcome == .placeholder) }.map { "  " + render($0, rehearsal: rehearsal) }
        if !accepted.isEmpty {
            // Said once: a rehearsal of a playbook not yet filled in is the normal case.
            var perStep: [(String, Int)] = []
            for check in accepted {
                let step = check.step ?? "playbook"
                if let last = perStep.last, last.0 == step { perStep[perStep.count - 1].1 += 1 } else { perStep.append((step, 1)) }
            }
            lines.append("  accepted (a rehearsal, or no change to the node): \(accepted.count) placeholder\(accepted.count == 1 ? "" : "s") a real run refuses "
                + "(" + perStep.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "; `plan` without --rehearsal lists them)")
        }
        return lines + [""]
    }
}
