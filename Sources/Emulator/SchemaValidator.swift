import Document

/// Validates a custom resource against its structural `openAPIV3Schema` and prunes unknown fields,
/// as the API server does: type, required, enum, nested properties/items/additionalProperties,
/// `x-kubernetes-preserve-unknown-fields` and `x-kubernetes-int-or-string`.
struct SchemaValidator {
    var causes: [APIError.Cause] = []

    /// Validates `object` (a whole resource) and returns it pruned.
    mutating func validateResource(_ object: Value, schema: Value) -> Value {
        guard case .object(var top) = object else { return object }
        // metadata, apiVersion and kind are the server's own; the schema does not govern them.
        let meta = top["metadata"], apiVersion = top["apiVersion"], kind = top["kind"]
        top["metadata"] = nil
        top["apiVersion"] = nil
        top["kind"] = nil
        var schema = schema
        if let required = schema["required"]?.arrayValue {
            schema["required"] = .array(required.filter { !["metadata", "apiVersion", "kind"].contains($0.stringValue ?? "") })
        }
        var rest = validate(.object(top), schema: schema, path: "")
        if case .object(var o) = rest {
            var ordered = Object()
            if let apiVersion { ordered["apiVersion"] = apiVersion }
            if let kind { ordered["kind"] = kind }
            if let meta { ordered["metadata"] = meta }
            for (k, v) in o { ordered[k] = v }
            o = ordered
            rest = .object(o)
        }
        return rest
    }

    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private mutating func typeError(_ path: String, _ value: Value, _ expected: String) {
        let actual = value.typeName == "number" ? (value.intValue != nil ? "integer" : "number") : value.typeName
        causes.append(.init(reason: "FieldValueTypeInvalid", field: path,
                            detail: "Invalid value: \"\(actual)\": \(path) in body must be of type \(expected): \"\(actual)\""))
    }

    mutating func validate(_ value: Value, schema: Value, path: String) -> Value {
        if value.isNull {
            if schema["nullable"]?.boolValue == true { return value }
            if let type = schema["type"]?.stringValue { typeError(path, value, type) }
            return value
        }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            switch value {
            case .int, .string, .sensitive: break
            case .double where value.intValue != nil: break
            default:
                causes.append(.init(reason: "FieldValueTypeInvalid", field: path,
                                    detail: "Invalid value: \"\(value.typeName)\": \(path) in body must be of type integer,string: \"\(value.typeName)\""))
            }
            return value
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            let list = options.map { JSON.encode($0) }.joined(separator: ", ")
            causes.append(.init(reason: "FieldValueNotSupported", field: path,
                                detail: "Unsupported value: \(JSON.encode(value)): supported values: \(list)"))
        }
        let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
        switch schema["type"]?.stringValue {
        case "object":
            guard case .object(let object) = value else { typeError(path, value, "object"); return value }
            return validateObject(object, schema: schema, path: path, preserve: preserve)
        case "array":
            guard case .array(let items) = value else { typeError(path, value, "array"); return value }
            guard let itemSchema = schema["items"] else { return value }
            return .array(items.enumerated().map { validate($0.element, schema: itemSchema, path: "\(path)[\($0.offset)]") })
        case "string":
            switch value { case .string, .sensitive: break; default: typeError(path, value, "string") }
        case "integer":
            if value.intValue == nil || value.typeName != "number" { typeError(path, value, "integer") }
        case "number":
            if value.typeName != "number" { typeError(path, value, "number") }
        case "boolean":
            if value.boolValue == nil { typeError(path, value, "boolean") }
        default:
            // No type: only preserve-unknown-fields schemas may leave it out; keep what is there.
            if case .object(let object) = value, schema["properties"] != nil {
                return validateObject(object, schema: schema, path: path, preserve: preserve)
            }
        }
        return value
    }

    private mutating func validateObject(_ object: Object, schema: Value, path: String, preserve: Bool) -> Value {
        let properties = schema["properties"]?.objectValue
        let additional = schema["additionalProperties"]
        for case .string(let name) in schema["required"]?.arrayValue ?? [] where object[name] == nil {
            causes.append(.init(reason: "FieldValueRequired", field: Self.join(path, name), detail: "Required value"))
        }
        var out = Object()
        for (key, child) in object {
            let childPath = Self.join(path, key)
            if let propertySchema = properties?[key] {
                out[key] = validate(child, schema: propertySchema, path: childPath)
            } else if let additional, case .object = additional {
                out[key] = validate(child, schema: additional, path: childPath)
            } else if additional?.boolValue == true || preserve {
                out[key] = child
            }
            // Anything else is an unknown field: pruned, as a structural schema does.
        }
        return .object(out)
    }
}
