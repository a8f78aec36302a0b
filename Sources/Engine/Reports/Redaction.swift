import Document

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
