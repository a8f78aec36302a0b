import Document

/// Reads a playbook file, checking its structure and keeping every position.
///
/// Reports every problem it finds, not just the first, so one run of `validate` shows them all.
public enum PlaybookLoader {
    public static func load(path: String) throws(Diagnostics) -> Playbook {
        let text: String
        do {
            text = try TextFile.read(path)
        } catch {
            throw Diagnostics([.error("cannot read playbook: \(error.reason)", at: error.mark(in: path))])
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(Diagnostics) -> Playbook {
        let (playbook, problems) = try parseCollecting(text, file: file)
        if problems.contains(where: { $0.severity == .error }) { throw Diagnostics(problems) }
        return playbook
    }

    /// Reads a playbook whose structure is sound enough to check further, with every problem found
    /// so far (a duplicate step id, an unknown key, ...). The later checks (graph, references,
    /// parameters) can then run on it too, so one run reports every error. Throws when the file
    /// cannot be read or is no playbook at all.
    public static func loadCollecting(path: String) throws(Diagnostics) -> (Playbook, [Diagnostic]) {
        let text: String
        do {
            text = try TextFile.read(path)
        } catch {
            throw Diagnostics([.error("cannot read playbook: \(error.reason)", at: error.mark(in: path))])
        }
        return try parseCollecting(text, file: path)
    }

    public static func parseCollecting(_ text: String, file: String) throws(Diagnostics) -> (Playbook, [Diagnostic]) {
        let root = try YAML.parseOne(text, file: file)
        var problems: [Diagnostic] = []
        let start = Mark(file: file, line: 1, column: 1)

        guard root.mapping != nil else {
            throw Diagnostics([.error("a playbook is a mapping with apiVersion, kind, metadata and steps; found \(root.kindName)", at: root.mark)])
        }
        problems += checkKeys(root, allowed: ["apiVersion", "kind", "metadata", "vars", "steps"], what: "playbook")

        if let node = root["apiVersion"] {
            if node.scalarText != Playbook.apiVersion {
                problems.append(.error("apiVersion must be \"\(Playbook.apiVersion)\", found \"\(node.scalarText ?? node.kindName)\"", at: node.mark))
            }
        } else {
            problems.append(.error("missing apiVersion: \"\(Playbook.apiVersion)\"", at: start))
        }
        if let node = root["kind"] {
            if node.scalarText != "Playbook" { problems.append(.error("kind must be \"Playbook\", found \"\(node.scalarText ?? node.kindName)\"", at: node.mark)) }
        } else {
            problems.append(.error("missing kind: Playbook", at: start))
        }

        var name = ""
        var description: String?
        if let metadata = root["metadata"] {
            problems += checkKeys(metadata, allowed: ["name", "description"], what: "metadata")
            if let node = metadata["name"], let text = node.scalarText {
                name = text
                if !KubeNames.isDNSLabel(text) {
                    problems.append(.error("metadata.name \"\(text)\" must be lowercase letters, digits and '-', start and end alphanumeric, at most 63 characters", at: node.mark))
                }
            } else {
                problems.append(.error("missing metadata.name", at: metadata.mark))
            }
            description = metadata["description"]?.scalarText
        } else {
            problems.append(.error("missing metadata: {name: ...}", at: start))
        }

        var vars: [String: Value] = [:]
        if let node = root["vars"] {
            if let pairs = node.mapping {
                for pair in pairs {
                    guard let key = pair.key.scalarText else { continue }
                    if !isIdentifier(key) {
                        problems.append(.error("variable name \"\(key)\" must be letters, digits, '_' or '-'", at: pair.key.mark))
                    }
                    if let secret = firstReference(in: pair.value) {
                        problems.append(.error("vars cannot contain references (found \"${{ \(secret) }}\"); use the value directly", at: pair.value.mark))
                    }
                    vars[key] = pair.value.resolved
                }
            } else if !(node.scalarText.map { $0.isEmpty || $0 == "~" } ?? false) {
                problems.append(.error("vars must be a mapping, found \(node.kindName)", at: node.mark))
            }
        }

        var steps: [StepSpec] = []
        if let node = root["steps"] {
            if let items = node.sequence {
                var seen: [String: Mark] = [:]
                for item in items {
                    let (step, stepProblems) = readStep(item)
                    problems += stepProblems
                    guard let step else { continue }
                    if let first = seen[step.id] {
                        problems.append(.error("duplicate step id \"\(step.id)\" (first defined at \(first.line):\(first.column))", at: step.idMark))
                    } else {
                        seen[step.id] = step.idMark
                        steps.append(step)
                    }
                }
                if items.isEmpty { problems.append(.error("steps is empty: a playbook needs at least one step", at: node.mark)) }
            } else {
                problems.append(.error("steps must be a list, found \(node.kindName)", at: node.mark))
            }
        } else {
            problems.append(.error("missing steps: a playbook needs at least one step", at: start))
        }

        return (Playbook(file: file, name: name, description: description, vars: vars, steps: steps), problems.sorted(by: byPosition))
    }

    static func readStep(_ node: Node) -> (StepSpec?, [Diagnostic]) {
        guard node.mapping != nil else {
            return (nil, [.error("a step is a mapping with id, type, needs and with; found \(node.kindName)", at: node.mark)])
        }
        var problems = checkKeys(node, allowed: ["id", "type", "needs", "with", "description"], what: "step")
        guard let idNode = node["id"], let id = idNode.scalarText, !id.isEmpty else {
            problems.append(.error("step is missing its id", at: node.mark))
            return (nil, problems)
        }
        if idNode.resolved.stringValue == nil {
            // `id: 123` reads as a number (and `id: true` as a boolean): an id is text, as a
            // Kubernetes name is, and kubectl refuses a number where a name belongs.
            problems.append(.error("step id must be text, found \(idNode.resolved.typeName) \(id); quote it: id: \"\(id)\"", at: idNode.mark))
        } else if !KubeNames.isDNSLabel(id) {
            let why = id.utf8.count > KubeNames.dnsLabelMaxLength ? "is longer than \(KubeNames.dnsLabelMaxLength) characters" : "must match [a-z0-9]([-a-z0-9]*[a-z0-9])?"
            problems.append(.error("step id \"\(id)\" \(why)", at: idNode.mark))
        }
        var type = ""
        var typeMark = node.mark
        if let typeNode = node["type"], let text = typeNode.scalarText, !text.isEmpty {
            type = text
            typeMark = typeNode.mark
        } else {
            problems.append(.error("step \"\(id)\" is missing its type", at: node.mark))
        }
        var needs: [StepSpec.Reference] = []
        if let needsNode = node["needs"] {
            if let items = needsNode.sequence {
                for item in items {
                    if let text = item.scalarText, item.resolved.stringValue == nil {
                        problems.append(.error("needs lists step ids, which are text; found \(item.resolved.typeName) \(text)", at: item.mark))
                    } else if let text = item.scalarText { needs.append(.init(id: text, mark: item.mark)) } else {
                        problems.append(.error("needs lists step ids; found \(item.kindName)", at: item.mark))
                    }
                }
            } else if !needsNode.resolved.isNull {
                let hint = needsNode.scalarText.map { " (write needs: [\($0)])" } ?? ""
                problems.append(.error("needs must be a list of step ids, found \(needsNode.kindName)\(hint)", at: needsNode.mark))
            }
        }
        var with = node["with"]
        if let w = with {
            if w.mapping == nil {
                if w.resolved.isNull { with = nil } else {
                    problems.append(.error("with must be a mapping of the step type's parameters, found \(w.kindName)", at: w.mark))
                }
            }
        }
        let step = StepSpec(id: id, type: type, needs: needs, with: with, description: node["description"]?.scalarText,
                            mark: node.mark, idMark: idNode.mark, typeMark: typeMark)
        return (step, problems)
    }

    /// Unknown keys, each with a suggestion from the allowed ones.
    public static func checkKeys(_ node: Node, allowed: [String], what: String) -> [Diagnostic] {
        guard let pairs = node.mapping else { return [] }
        return pairs.compactMap { pair in
            guard let key = pair.key.scalarText, !allowed.contains(key) else { return nil }
            let hint = suggestion(for: key, among: allowed).map { " (did you mean \"\($0)\"?)" } ?? ""
            return .error("unknown key \"\(key)\" in \(what)\(hint)", at: pair.key.mark)
        }
    }

    static func isIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }

    static func firstReference(in node: Node) -> String? {
        switch node.content {
        case .scalar(let text, _, _):
            if case .success(let parts) = Interpolation.parse(text) {
                for case .reference(let scope, let path, _) in parts { return ([scope] + path).joined(separator: ".") }
            }
            return nil
        case .sequence(let items): return items.lazy.compactMap(firstReference).first
        case .mapping(let pairs): return pairs.lazy.compactMap { firstReference(in: $0.value) }.first
        }
    }

    static func byPosition(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        switch (a.mark, b.mark) {
        case (let x?, let y?): return x < y
        case (nil, _?): return true
        default: return false
        }
    }
}

