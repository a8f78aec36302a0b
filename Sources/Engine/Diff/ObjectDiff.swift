import Document

/// Field-level differences between a live object and what applying would make of it.
public enum ObjectDiff {
    /// Fields the server owns; they change on every write and say nothing to a reviewer.
    static let volatileMetadata: Set<String> = ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink"]

    /// The object without server-owned fields and status.
    public static func comparable(_ object: Value) -> Value {
        var object = object
        object["status"] = nil
        if var metadata = object["metadata"]?.objectValue {
            for key in volatileMetadata { metadata[key] = nil }
            object["metadata"] = .object(metadata)
        }
        return object
    }

    /// Lines like `~ spec.capacity.storage: "10Gi" -> "20Gi"`, multi-line strings as line diffs;
    /// values already redacted by the caller.
    public static func lines(from old: Value, to new: Value) -> [String] {
        changes(from: old, to: new).flatMap(\.lines)
    }

    /// Every changed field, with its whole value before and after; values already redacted by the caller.
    public static func changes(from old: Value, to new: Value) -> [FieldChange] {
        var out: [FieldChange] = []
        walk(comparable(old), comparable(new), path: "", into: &out)
        return out
    }

    static func walk(_ old: Value?, _ new: Value?, path: String, into out: inout [FieldChange]) {
        switch (old, new) {
        case (.object(let a)?, .object(let b)?):
            for key in b.keys {
                walk(a[key], b[key], path: join(path, key), into: &out)
            }
            for key in a.keys where b[key] == nil {
                walk(a[key], nil, path: join(path, key), into: &out)
            }
        case (.array(let a)?, .array(let b)?) where a.count == b.count && (a + b).contains(where: \.isContainer):
            // Lists of mappings (containers, ports) line up by position, so a change shows as its fields.
            for i in a.indices { walk(a[i], b[i], path: "\(path)[\(i)]", into: &out) }
        case (.array(let a)?, .array(let b)?):
            // Element by element: what was added and what was removed, at their own indices.
            var i = 0, j = 0
            for edit in LineDiff.edits(a.map { Substring(JSON.encode($0)) }, b.map { Substring(JSON.encode($0)) }) {
                switch edit.mark {
                case "-": out.append(FieldChange(path: "\(path)[\(i)]", before: a[i], after: nil)); i += 1
                case "+": out.append(FieldChange(path: "\(path)[\(j)]", before: nil, after: b[j])); j += 1
                default: i += 1; j += 1
                }
            }
        case (nil, let b?):
            out.append(FieldChange(path: path, before: nil, after: b))
        case (let a?, nil):
            out.append(FieldChange(path: path, before: a, after: nil))
        case (let a?, let b?):
            if !same(a, b) { out.append(FieldChange(path: path, before: a, after: b)) }
        case (nil, nil):
            break
        }
    }

    /// Equal as the API server sees it: 1 and 1.0 are one number, a secret equals its text.
    static func same(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
        case (.sensitive(let x), .string(let y)), (.string(let y), .sensitive(let x)): return x.matches(y)
        default: return a == b
        }
    }

    static func join(_ path: String, _ key: String) -> String {
        let simple = key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        if path.isEmpty { return simple ? key : "[\"\(key)\"]" }
        return simple ? "\(path).\(key)" : "\(path)[\"\(key)\"]"
    }

    static func render(_ value: Value) -> String {
        let text = JSON.encode(value)
        return text.count > 120 ? String(text.prefix(117)) + "..." : text
    }
}

/// One changed field: its path and its whole value before and after (nil where absent).
public struct FieldChange: Sendable, Equatable {
    public var path: String
    public var before: Value?
    public var after: Value?

    public init(path: String, before: Value?, after: Value?) {
        self.path = path
        self.before = before
        self.after = after
    }

    /// As plan prints it: one line, or a header and a line diff when either side is multi-line text.
    public var lines: [String] {
        switch (before, after) {
        case (nil, let b?):
            if case .string(let text) = b, text.contains("\n") { return ["+ \(path):"] + LineDiff.lines(from: "", to: text).map { "    " + $0 } }
            return ["+ \(path): \(ObjectDiff.render(b))"]
        case (let a?, nil):
            return ["- \(path): \(ObjectDiff.render(a))"]
        case (.string(let a)?, .string(let b)?) where a.contains("\n") || b.contains("\n"):
            return ["~ \(path):"] + LineDiff.lines(from: a, to: b).map { "    " + $0 }
        case (let a?, let b?):
            return ["~ \(path): \(ObjectDiff.render(a)) -> \(ObjectDiff.render(b))"]
        case (nil, nil):
            return []
        }
    }

    /// As JSON carries it: never cut short.
    public var json: Value {
        ["path": .string(path), "before": before ?? .null, "after": after ?? .null]
    }
}

extension Value {
    /// A mapping or a list.
    var isContainer: Bool {
        switch self {
        case .object, .array: return true
        default: return false
        }
    }
}
