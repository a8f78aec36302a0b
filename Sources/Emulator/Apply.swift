import Document

/// Server-side apply without the full structured-merge-diff machinery: each apply manager's fields
/// are recorded in `metadata.managedFields` (FieldsV1, lists atomic), so a field the manager
/// applied before and leaves out now is removed, and everything else is merged in.
enum Apply {
    static func apply(live: Value?, applied: Value, manager: String, now: String) -> Value {
        let newFields = fields(of: applied, top: true)
        var result = live ?? .object(Object())
        let entries = result[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        let previous = entries.first { $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == "Apply" }
        if let oldFields = previous?["fieldsV1"] {
            result = removeStale(result, old: oldFields, new: newFields)
        }
        result = merge(result, applied)

        let apiVersion = applied["apiVersion"] ?? .null
        var kept = entries.filter { !($0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == "Apply") }
        if let previous, previous["fieldsV1"] == newFields, previous["apiVersion"] == apiVersion {
            kept.insert(previous, at: 0)
        } else {
            kept.insert([
                "manager": .string(manager), "operation": "Apply", "apiVersion": apiVersion,
                "time": .string(now), "fieldsType": "FieldsV1", "fieldsV1": newFields,
            ], at: 0)
        }
        result["metadata"]?["managedFields"] = .array(kept)
        return result
    }

    /// FieldsV1 of an applied object: `f:key` per object key; lists and scalars are leaves.
    static func fields(of value: Value, top: Bool = false) -> Value {
        guard case .object(let object) = value else { return .object(Object()) }
        var out = Object()
        for (key, child) in object {
            if top && (key == "apiVersion" || key == "kind") { continue }
            if top && key == "metadata", case .object(var meta) = child {
                for k in ["name", "namespace", "resourceVersion", "uid", "managedFields", "creationTimestamp", "generation"] { meta[k] = nil }
                if meta.isEmpty { continue }
                out["f:metadata"] = fields(of: .object(meta))
                continue
            }
            out["f:\(key)"] = fields(of: child)
        }
        return .object(out)
    }

    private static func removeStale(_ value: Value, old: Value, new: Value) -> Value {
        guard case .object(var object) = value, case .object(let oldFields) = old else { return value }
        for (fieldKey, oldChild) in oldFields where fieldKey.hasPrefix("f:") {
            let key = String(fieldKey.dropFirst(2))
            if let newChild = new[fieldKey] {
                if let child = object[key] { object[key] = removeStale(child, old: oldChild, new: newChild) }
            } else {
                object[key] = nil
            }
        }
        return .object(object)
    }

    /// Objects merge key by key; anything else in the applied config replaces the live value.
    static func merge(_ live: Value, _ applied: Value) -> Value {
        guard case .object(let appliedObject) = applied, case .object(var result) = live else { return applied }
        for (key, value) in appliedObject {
            if value.isNull { result[key] = nil; continue }
            if let existing = result[key] { result[key] = merge(existing, value) } else { result[key] = value }
        }
        return .object(result)
    }
}
