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

    /// Lines like `~ spec.capacity.storage: "10Gi" -> "20Gi"`; values already redacted by the caller.
    public static func lines(from old: Value, to new: Value) -> [String] {
        var out: [String] = []
        walk(comparable(old), comparable(new), path: "", into: &out)
        return out
    }

    static func walk(_ old: Value?, _ new: Value?, path: String, into out: inout [String]) {
        switch (old, new) {
        case (.object(let a)?, .object(let b)?):
            for key in b.keys {
                walk(a[key], b[key], path: join(path, key), into: &out)
            }
            for key in a.keys where b[key] == nil {
                walk(a[key], nil, path: join(path, key), into: &out)
            }
        case (.array(let a)?, .array(let b)?) where a.count == b.count:
            for i in a.indices { walk(a[i], b[i], path: "\(path)[\(i)]", into: &out) }
        case (nil, let b?):
            out.append("+ \(path): \(render(b))")
        case (let a?, nil):
            out.append("- \(path): \(render(a))")
        case (let a?, let b?):
            if !same(a, b) { out.append("~ \(path): \(render(a)) -> \(render(b))") }
        case (nil, nil):
            break
        }
    }

    /// Equal as the API server sees it: 1 and 1.0 are one number, a secret equals its text.
    static func same(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
        case (.sensitive(let x), .string(let y)), (.string(let y), .sensitive(let x)): return x.revealed == y
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

/// Hides secret material in objects meant for people: Secret data, and anything sensitive.
public enum Redaction {
    public static let placeholder = "(sensitive)"

    /// The object as it may be printed: a Secret's `data` and `stringData` values are replaced.
    public static func redact(_ object: Value) -> Value {
        guard object["kind"]?.stringValue == "Secret" else { return object }
        var object = object
        for field in ["data", "stringData"] {
            guard let values = object[field]?.objectValue else { continue }
            object[field] = .object(Object(values.map { ($0.key, Value.string(placeholder)) }))
        }
        return object
    }

    /// The object as it may be printed, with every field that holds a secret in `desired` hidden too:
    /// the live side of a diff holds the old value of a rotated secret, which no mask knows.
    public static func redact(_ object: Value, sensitiveIn desired: Value) -> Value {
        func hide(_ value: Value, _ desired: Value) -> Value {
            if case .sensitive = desired { return .string(placeholder) }
            switch (value, desired) {
            case (.object(var fields), .object(let wanted)):
                for (key, inner) in wanted where inner.containsSensitive {
                    if let current = fields[key] { fields[key] = hide(current, inner) }
                }
                return .object(fields)
            case (.array(var items), .array(let wanted)):
                for index in items.indices where index < wanted.count && wanted[index].containsSensitive {
                    items[index] = hide(items[index], wanted[index])
                }
                return .array(items)
            default:
                return value
            }
        }
        return hide(redact(object), desired)
    }
}
