import Document
import Platform
import Host
import Kube

extension PlanReport {
    /// The plan as ops review it, like Terraform's: `+` create, `~` change, `-` delete, `=` unchanged,
    /// for steps, host changes and objects; field changes of objects, and line diffs of files and
    /// multi-line values. Unchanged objects are counted, and listed only when `verbose`.
    public func text(playbookPath: String, verbose: Bool = false) -> String {
        var lines = ["Plan for \(playbookPath) (playbook \"\(playbook)\")", ""]
        if !clusterReachable {
            lines.append("The Kubernetes API is not reachable: cluster steps are shown as they would run once the cluster is up.")
            lines.append("")
        }
        lines += PreflightCheck.text(preflight, rehearsal: rehearsal)
        let width = steps.map(\.id.count).max() ?? 0
        let typeWidth = steps.map(\.type.count).max() ?? 0
        for step in steps {
            let id = step.id.padded(to: width)
            let type = step.type.padded(to: typeWidth)
            lines.append("  \(step.symbol) \(id)  \(type)  \(step.action.rawValue): \(step.reason)")
            for change in step.host { lines += Self.hostLines(change) }
            for case .mergePatch(let ref, let patch, let reason) in step.preparations {
                lines.append("      ~ \(ref) (merge patch before the apply: \(reason))")
                lines.append("          \(JSON.encode(patch))")
            }
            var unchanged = 0
            for object in step.objects {
                if object.action == .unchanged && !verbose { unchanged += 1; continue }
                let ns = object.namespace.map { "\($0)/" } ?? ""
                let mark = ["create": "+", "update": "~", "replace": "-/+"][object.action.rawValue] ?? "="
                let replaced = step.preparations.first { $0.ref.kind == object.kind && $0.ref.name == object.name && $0.ref.namespace == object.namespace }
                let why = object.action == .replace ? replaced.map { ": \($0.reason)" } ?? "" : ""
                lines.append("      \(mark) \(object.kind) \(ns)\(object.name) (\(object.action.rawValue)\(why))")
                for change in object.diff { lines.append("          \(change)") }
                for takeover in object.takeovers { lines.append("          ! takes over a field: \(takeover)") }
            }
            if unchanged > 0 { lines.append("      = \(unchanged) unchanged object\(unchanged == 1 ? "" : "s")") }
            for ref in step.deletions { lines.append("      - \(ref) (delete: no longer wanted by this step)") }
            for ref in step.prune.delete { lines.append("      - \(ref) (delete: no longer in the playbook)") }
            for ref in step.prune.keep {
                lines.append("      ! kept: holds data: \(ref) (delete it by hand if it must go: \(Prune.manualCommand(ref)))")
            }
            if step.removed { lines.append("      (its record goes; whatever it changed on the host stays: bootstrap never deletes data)") }
            for warning in step.warnings { lines.append("      warning: \(warning)") }
        }
        let run = steps.filter { $0.action == .run }.count
        let deletions = steps.reduce(0) { $0 + $1.deletions.count + $1.prune.delete.count }
        let kept = steps.reduce(0) { $0 + $1.prune.keep.count }
        var summary = "Plan: \(run) step\(run == 1 ? "" : "s") to run, \(steps.count - run) unchanged"
        if deletions > 0 { summary += ", \(deletions) to delete" }
        if kept > 0 { summary += ", \(kept) kept" }
        lines.append("")
        lines.append(summary + ". \(requests.total) requests, \(requests.writes) writes.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A host change as plan prints it: its shell lines, and for a file its content or line diff.
    static func hostLines(_ change: HostChange) -> [String] {
        var lines = change.lines.map { "      $ \($0)" }
        if case .copyData(let copy) = change, let estimate = copy.estimate { lines.append("          # " + Self.estimateText(estimate)) }
        guard case .writeFile(let write) = change else { return lines }
        if write.new.isSensitive || write.old?.isSensitive == true {
            lines.append("          (sensitive content\(write.old == nil ? "" : " changed"))")
        } else if let text = write.new.text {
            let diff = LineDiff.lines(from: write.old?.text ?? "", to: text)
            lines += diff.prefix(200).map { "          \($0)" }
            if diff.count > 200 { lines.append("          ... (\(diff.count - 200) more lines)") }
        } else {
            lines.append("          (binary content)")
        }
        return lines
    }

    /// `12.3 GiB in 120345 entries to copy; about 4:10 at 48.0 MiB/s (dd read 256 MiB of … just now)`
    static func estimateText(_ estimate: CopyEstimate) -> String {
        var text = "\(ByteText.binary(estimate.bytes)) in \(estimate.entries) entries to copy"
        if let rate = estimate.rate, let seconds = estimate.seconds {
            text += "; about \(ByteText.clock(seconds)) at \(ByteText.binary(Int64(rate)))/s (\(estimate.rateSource))"
        } else {
            text += " (no rate: \(estimate.rateSource))"
        }
        return text
    }

    /// The documented JSON shape (README: "plan --output json").
    public var json: Value {
        [
            "playbook": .string(playbook),
            "clusterReachable": .bool(clusterReachable),
            "steps": .array(steps.map { step in
                [
                    "id": .string(step.id), "type": .string(step.type), "action": .string(step.action.rawValue),
                    "reason": .string(step.reason),
                    "hostActions": .array(step.hostLines.map(Value.string)),
                    "hostFiles": .array(step.host.compactMap(Self.hostFileJSON)),
                    "objects": .array(step.objects.map { object in
                        [
                            "apiVersion": .string(object.apiVersion), "kind": .string(object.kind),
                            "namespace": object.namespace.map(Value.string) ?? .null, "name": .string(object.name),
                            "action": .string(object.action.rawValue), "desired": object.desired,
                            "diff": .array(object.changes.map(\.json)),
                            "takeovers": .array(object.takeovers.map(Value.string)),
                        ]
                    }),
                    "deletions": .array(step.deletions.map { Self.refJSON($0, action: "delete", reason: "no longer wanted by this step") }
                        + step.prune.delete.map { Self.refJSON($0, action: "delete", reason: "no longer in the playbook") }
                        + step.prune.keep.map { Self.refJSON($0, action: "keep", reason: "holds data: delete by hand with `\(Prune.manualCommand($0))`") }),
                    "preparations": .array(step.preparations.map(Self.preparationJSON)),
                    "warnings": .array(step.warnings.map(Value.string)),
                    "copies": .array(step.host.compactMap(Self.copyJSON)),
                ]
            }),
            "requests": ["total": .int(requests.total), "writes": .int(requests.writes)],
            "preflight": .array(preflight.map(\.json)),
        ]
    }

    static func copyJSON(_ change: HostChange) -> Value? {
        guard case .copyData(let copy) = change, let estimate = copy.estimate else { return nil }
        return ["from": .string(copy.from), "to": .string(copy.to), "bytes": .int(Int(estimate.bytes)), "entries": .int(estimate.entries),
                "bytesPerSecond": estimate.rate.map { .int(Int($0)) } ?? .null,
                "estimatedSeconds": estimate.seconds.map { .int(Int($0.rounded(.up))) } ?? .null,
                "rateSource": .string(estimate.rateSource)]
    }

    static func preparationJSON(_ preparation: ObjectPreparation) -> Value {
        switch preparation {
        case .replace(let ref, let reason): return refJSON(ref, action: "replace", reason: reason)
        case .mergePatch(let ref, let patch, let reason):
            var json = refJSON(ref, action: "mergePatch", reason: reason)
            json["patch"] = patch
            return json
        }
    }

    static func refJSON(_ ref: ObjectRef, action: String, reason: String) -> Value {
        ["apiVersion": .string(ref.apiVersion), "kind": .string(ref.kind), "namespace": ref.namespace.map(Value.string) ?? .null,
         "name": .string(ref.name), "action": .string(action), "reason": .string(reason)]
    }

    /// A file write with its content before and after; sensitive content is never carried.
    static func hostFileJSON(_ change: HostChange) -> Value? {
        guard case .writeFile(let write) = change else { return nil }
        func content(_ c: FileContent?) -> Value {
            guard let c else { return .null }
            if c.isSensitive { return .string(Redaction.placeholder) }
            return c.text.map(Value.string) ?? .string("(binary content)")
        }
        return ["path": .string(write.path), "mode": .string(octal(write.mode)), "owner": write.owner.map { .string("\($0)") } ?? .null,
                "before": content(write.old), "after": content(write.new)]
    }
}

extension PlanReport.PlannedStep {
    /// `=` skipped, `-` removed from the playbook, `+` new (never recorded), `~` changes what a run made before.
    public var symbol: String {
        if action == .skip { return "=" }
        if removed { return "-" }
        return recorded ? "~" : "+"
    }
}

extension ApplyReport {
    /// The documented JSON shape (README: "apply --output json").
    public var json: Value {
        [
            "playbook": .string(playbook),
            "steps": .array(steps.map { step in
                var entry: Value = [
                    "id": .string(step.id), "type": .string(step.type), "outcome": .string(step.outcome.word),
                    "reason": .string(step.reason),
                    "objects": .array(step.objects.map { object in
                        [
                            "apiVersion": object["apiVersion"] ?? .null, "kind": object["kind"] ?? .null,
                            "namespace": object[path: ["metadata", "namespace"]] ?? .null,
                            "name": object[path: ["metadata", "name"]] ?? .null, "desired": object,
                        ]
                    }),
                ]
                switch step.outcome {
                case .failed(let message): entry["error"] = .string(message)
                case .blocked(let by): entry["blockedBy"] = .string(by)
                default: break
                }
                return entry
            }),
            "requests": ["total": .int(requests.total), "writes": .int(requests.writes)],
            "preflight": .array(preflight.map(\.json)),
        ]
    }
}
