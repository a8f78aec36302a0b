import Document

extension PlanReport {
    /// The plan as ops review it: one block per step, objects with their field-level changes.
    public func text(playbookPath: String) -> String {
        var lines = ["Plan for \(playbookPath) (playbook \"\(playbook)\")", ""]
        if !clusterReachable {
            lines.append("The Kubernetes API is not reachable: cluster steps are shown as they would run once k3s is installed.")
            lines.append("")
        }
        let width = steps.map(\.id.count).max() ?? 0
        let typeWidth = steps.map(\.type.count).max() ?? 0
        for step in steps {
            let symbol = step.action == .skip ? "=" : (step.objects.contains { $0.action != .create } || !step.deletions.isEmpty ? "~" : "+")
            let id = step.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let type = step.type.padding(toLength: typeWidth, withPad: " ", startingAt: 0)
            lines.append("  \(symbol) \(id)  \(type)  \(step.action.rawValue): \(step.reason)")
            for line in step.hostLines { lines.append("      $ \(line)") }
            for object in step.objects {
                let ns = object.namespace.map { "\($0)/" } ?? ""
                let mark = object.action == .create ? "+" : object.action == .update ? "~" : "="
                lines.append("      \(mark) \(object.kind) \(ns)\(object.name) (\(object.action.rawValue))")
                for change in object.diff { lines.append("          \(change)") }
            }
            for ref in step.deletions {
                lines.append("      - \(ref.kind) \(ref.namespace.map { "\($0)/" } ?? "")\(ref.name) (delete)")
            }
            for warning in step.warnings { lines.append("      warning: \(warning)") }
        }
        let run = steps.filter { $0.action == .run }.count
        lines.append("")
        lines.append("Plan: \(run) step\(run == 1 ? "" : "s") to run, \(steps.count - run) unchanged. \(requests.total) requests, \(requests.writes) writes.")
        return lines.joined(separator: "\n") + "\n"
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
                    "objects": .array(step.objects.map { object in
                        [
                            "apiVersion": .string(object.apiVersion), "kind": .string(object.kind),
                            "namespace": object.namespace.map(Value.string) ?? .null, "name": .string(object.name),
                            "action": .string(object.action.rawValue), "desired": object.desired,
                            "diff": .array(object.diff.map(Value.string)),
                        ]
                    }),
                    "deletions": .array(step.deletions.map { ref in
                        [
                            "apiVersion": .string(ref.apiVersion), "kind": .string(ref.kind),
                            "namespace": ref.namespace.map(Value.string) ?? .null, "name": .string(ref.name),
                        ]
                    }),
                    "warnings": .array(step.warnings.map(Value.string)),
                ]
            }),
            "requests": ["total": .int(requests.total), "writes": .int(requests.writes)],
        ]
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
        ]
    }
}
