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
}
