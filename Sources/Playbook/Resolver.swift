import Document

/// Step parameters after interpolation, with where each was written.
public struct ResolvedParameters: Sendable {
    /// The `with:` mapping as a value; secrets are `.sensitive`.
    public var value: Value
    /// Marks by dotted path (`volumes.0.size`); "" is the `with:` node itself.
    public var marks: [String: Mark]
    /// Where a scalar holds a reference that did not resolve (or a secret read without a secrets
    /// file): a later check's error about the placeholder there only echoes it, and is left out.
    public var unresolved: Set<Mark> = []
    /// Secret references read without a secrets file, where they are (one error for all of them).
    public var secretsWithoutFile: [Mark] = []
}

/// Replaces `${{ vars.* }}` and `${{ secrets.* }}` in a step's parameters.
public struct Resolver: Sendable {
    public var vars: [String: Value]
    public var secrets: Secrets

    public init(vars: [String: Value], secrets: Secrets) {
        self.vars = vars
        self.secrets = secrets
    }

    public func resolve(_ node: Node?, stepID: String, fallback: Mark) -> (ResolvedParameters, [Diagnostic]) {
        var marks: [String: Mark] = [:]
        var problems: [Diagnostic] = []
        guard let node else { return (ResolvedParameters(value: .object(Object()), marks: ["": fallback]), []) }
        var found = Found()
        let value = resolve(node, path: "", depth: 0, marks: &marks, problems: &problems, stepID: stepID, found: &found)
        var parameters = ResolvedParameters(value: value, marks: marks)
        parameters.unresolved = found.unresolved
        parameters.secretsWithoutFile = found.secretsWithoutFile
        return (parameters, problems)
    }

    /// What resolving found besides errors.
    struct Found {
        var unresolved: Set<Mark> = []
        var secretsWithoutFile: [Mark] = []
    }

    /// `depth`: how many collections enclose `node` within `with:`.
    func resolve(_ node: Node, path: String, depth: Int, marks: inout [String: Mark], problems: inout [Diagnostic], stepID: String,
                 found: inout Found) -> Value {
        marks[path] = node.mark
        func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        switch node.content {
        case .mapping(let pairs):
            var object = Object()
            for pair in pairs {
                let key = pair.key.scalarText ?? ""
                if Interpolation.hasMarker(key) {
                    problems.append(.error("step \"\(stepID)\": a mapping key is not interpolated; \"${{\" cannot appear in a key (write $${{ for a literal one)", at: pair.key.mark))
                }
                let childPath = child(key)
                // The value's own mark is set by the call below, as every node's is.
                marks[childPath + "#key"] = pair.key.mark
                object[key] = resolve(pair.value, path: childPath, depth: depth + 1, marks: &marks, problems: &problems, stepID: stepID,
                                      found: &found)
            }
            return .object(object)
        case .sequence(let items):
            return .array(items.enumerated().map { index, item in
                resolve(item, path: child(String(index)), depth: depth + 1, marks: &marks, problems: &problems, stepID: stepID,
                        found: &found)
            })
        case .scalar(let text, let style, let tag):
            guard Interpolation.hasMarker(text) else { return Node.resolveScalar(text, style: style, tag: tag) }
            let before = problems.count
            let value = interpolate(text, node: node, problems: &problems, stepID: stepID, found: &found)
            if problems.count > before { found.unresolved.insert(node.mark) }
            // A variable spliced in whole brings its own nesting; the sum is bounded like any document.
            if depth + value.nestingDepth > Limits.maxDepth {
                problems.append(.error("step \"\(stepID)\": the variable put here nests \(value.nestingDepth) levels deep, "
                    + "which makes this parameter deeper than \(Limits.maxDepth) levels", at: node.mark))
                return .null
            }
            return value
        }
    }

    func interpolate(_ text: String, node: Node, problems: inout [Diagnostic], stepID: String, found: inout Found) -> Value {
        func mark(at offset: Int) -> Mark {
            // Exact for single-line scalars; the scalar's start otherwise.
            guard !text.prefix(offset).contains("\n") else { return node.mark }
            var m = node.mark
            if case .scalar(_, let style, _) = node.content, style == .singleQuoted || style == .doubleQuoted {
                m.column += 1
            }
            m.column += offset
            return m
        }
        let parts: [Interpolation.Part]
        switch Interpolation.parse(text) {
        case .success(let p): parts = p
        case .failure(let error):
            problems.append(.error("step \"\(stepID)\": \(error.message)", at: mark(at: error.offset)))
            return .string(text)
        }
        var pieces: [Value] = []
        for part in parts {
            switch part {
            case .text(let t): pieces.append(.string(t))
            case .reference("vars", let path, let offset):
                let name = path.joined(separator: ".")
                guard path.count == 1, let value = vars[path[0]] else {
                    let hint = suggestion(for: name, among: vars.keys.sorted()).map { " (did you mean \"\($0)\"?)" } ?? ""
                    problems.append(.error("step \"\(stepID)\" refers to undefined variable \"vars.\(name)\"\(hint)", at: mark(at: offset)))
                    pieces.append(.string(""))
                    continue
                }
                pieces.append(value)
            case .reference(_, let path, let offset):
                let name = path.joined(separator: ".")
                guard secrets.file != nil else {
                    // Counted, not reported one by one: a forgotten --secrets is one mistake. Checks
                    // of the placeholder put in its place would only echo it.
                    if secrets.needed { found.secretsWithoutFile.append(mark(at: offset)) }
                    found.unresolved.insert(node.mark)
                    pieces.append(.sensitive(Sensitive("")))
                    continue
                }
                switch secrets.lookup(path) {
                case .found(let secret): pieces.append(.sensitive(secret))
                case .notALeaf:
                    problems.append(.error("step \"\(stepID)\": \"secrets.\(name)\" is a mapping in \(secrets.file!), not a value", at: mark(at: offset)))
                    pieces.append(.sensitive(Sensitive("")))
                case .missing(let near):
                    let hintText = near.map { " (did you mean the entry at \($0)?)" } ?? ""
                    problems.append(.error("step \"\(stepID)\" refers to undefined secret \"secrets.\(name)\" (not in \(secrets.file!))\(hintText)", at: mark(at: offset)))
                    pieces.append(.sensitive(Sensitive("")))
                }
            }
        }
        // A lone reference keeps its type: `${{ vars.size }}` may be a number or a list.
        if pieces.count == 1 { return pieces[0] }
        // Pieces as secrets, so that a string with one secret in it becomes one secret.
        var joined: [Sensitive] = []
        var plain = ""
        var sensitive = false
        for piece in pieces {
            switch piece {
            case .string(let s): joined.append(Sensitive(s)); plain += s
            case .sensitive(let s): joined.append(s); sensitive = true
            case .int, .double, .bool: joined.append(Sensitive(JSON.encode(piece))); plain += JSON.encode(piece)
            case .null: break
            case .array, .object:
                problems.append(.error("step \"\(stepID)\": a list or mapping variable cannot be part of a longer string", at: node.mark))
            }
        }
        return sensitive ? .sensitive(Sensitive.joined(joined)) : .string(plain)
    }
}
