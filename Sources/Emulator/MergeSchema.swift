import Document

/// What server-side apply and field validation know of one node of an object: structured-merge-diff's
/// schema, reduced to what the emulator needs. Built-in kinds take it from Kubernetes 1.31's OpenAPI
/// markers (``BuiltinSchema``), custom resources from their CRD's `openAPIV3Schema`.
indirect enum Shape: Sendable {
    /// A string, number, boolean, int-or-string or quantity: replaced.
    case scalar
    /// Untyped (FieldsV1, RawExtension, JSON): anything goes, replaced whole.
    case any
    /// A built-in definition by name, resolved on use because definitions are recursive.
    case named(String, atomic: Bool)
    /// A struct: its fields; `atomic` (`x-kubernetes-map-type: atomic`) replaces it whole;
    /// `preserveUnknown` (`x-kubernetes-preserve-unknown-fields`) keeps fields it does not declare.
    case object([String: Shape], atomic: Bool, preserveUnknown: Bool)
    /// `additionalProperties`: every key has the value shape.
    case map(Shape, atomic: Bool)
    case list(Shape, ListType)

    /// Fields a preserve-unknown-fields schema does not declare: structured-merge-diff "deduces" them,
    /// merging objects key by key and replacing lists (structured-merge-diff v4 schema/elements.go).
    static let deduced = Shape.object([:], atomic: false, preserveUnknown: true)

    var resolved: Shape {
        guard case .named(let name, let atomic) = self else { return self }
        guard let shape = BuiltinSchema.types[name] else { return .any }
        if atomic, case .object(let fields, _, let preserve) = shape { return .object(fields, atomic: true, preserveUnknown: preserve) }
        return shape
    }

    /// Whether apply treats a value of this shape as one field (replaced whole, owned as a leaf).
    func isLeaf(for value: Value) -> Bool {
        switch resolved {
        case .scalar, .any: return true
        case .named: return true
        case .object(_, let atomic, _): if case .object = value { return atomic } else { return true }
        case .map(_, let atomic): if case .object = value { return atomic } else { return true }
        case .list(_, let type): if case .array = value { return type == .atomic } else { return true }
        }
    }

    /// The shape of field `key` of an object or map of this shape; nil when the schema does not declare it.
    func child(_ key: String, value: Value?) -> Shape? {
        switch resolved {
        case .object(let fields, _, let preserve):
            if let shape = fields[key] { return shape }
            guard preserve else { return nil }
            if case .object? = value { return Self.deduced }
            return .any
        case .map(let element, _): return element
        case .any: return .any
        default: return nil
        }
    }
}

/// `x-kubernetes-list-type`: atomic (the default), set (items are unique scalars) or map (items are
/// objects identified by `x-kubernetes-list-map-keys`).
enum ListType: Sendable, Equatable {
    case atomic, set
    case map([String])
}

/// The built-in kinds' shapes, parsed once from the generated table.
enum BuiltinSchema {
    private static let parsed: (kinds: [String: String], types: [String: Shape]) = {
        guard let table = try? JSON.decode(Array(Self.table.utf8)) else { return ([:], [:]) }
        var kinds: [String: String] = [:]
        for (key, value) in table["kinds"]?.objectValue ?? Object() { kinds[key] = value.stringValue }
        var types: [String: Shape] = [:]
        for (name, entry) in table["types"]?.objectValue ?? Object() {
            if let v = entry["v"] {
                types[name] = field(v)
            } else {
                var fields: [String: Shape] = [:]
                for (key, spec) in entry["f"]?.objectValue ?? Object() { fields[key] = field(spec) }
                types[name] = .object(fields, atomic: entry["a"] != nil, preserveUnknown: false)
            }
        }
        return (kinds, types)
    }()

    static var types: [String: Shape] { parsed.types }

    /// The shape of a built-in kind (`apps/v1`, `Deployment`), or nil when the table lacks it.
    static func shape(apiVersion: String, kind: String) -> Shape? {
        parsed.kinds["\(apiVersion)/\(kind)"].map { .named($0, atomic: false) }
    }

    /// A field of the generated table: "" scalar, "*" untyped, a definition name, or a map/list object.
    private static func field(_ spec: Value) -> Shape {
        switch spec {
        case .string(""): return .scalar
        case .string("*"): return .any
        case .string(let name): return .named(name, atomic: false)
        default:
            if let name = spec["r"]?.stringValue { return .named(name, atomic: spec["a"] != nil) }
            if let element = spec["m"] { return .map(field(element), atomic: spec["a"] != nil) }
            if let element = spec["l"] {
                let type: ListType = switch spec["t"]?.stringValue {
                case "set": .set
                case "map": .map((spec["k"]?.arrayValue ?? []).compactMap(\.stringValue))
                default: .atomic
                }
                return .list(field(element), type)
            }
            return .any
        }
    }
}

extension Shape {
    /// A CRD's structural `openAPIV3Schema` as structured-merge-diff reads it (apiextensions-apiserver
    /// pkg/controller/openapi/builder and kube-openapi pkg/schemaconv/smd.go): lists atomic unless
    /// `x-kubernetes-list-type` says otherwise, structs and maps granular unless
    /// `x-kubernetes-map-type: atomic`.
    static func fromCRD(_ schema: Value, top: Bool = true) -> Shape {
        let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
        if schema["x-kubernetes-int-or-string"]?.boolValue == true { return .scalar }
        let atomicMap = schema["x-kubernetes-map-type"]?.stringValue == "atomic"
        switch schema["type"]?.stringValue {
        case "array":
            let element = schema["items"].map { fromCRD($0, top: false) } ?? .any
            let type: ListType = switch schema["x-kubernetes-list-type"]?.stringValue {
            case "set": .set
            case "map": .map((schema["x-kubernetes-list-map-keys"]?.arrayValue ?? []).compactMap(\.stringValue))
            default: .atomic
            }
            return .list(element, type)
        case "object", nil:
            if schema["type"] == nil, schema["properties"] == nil, !preserve { return .any }
            if let additional = schema["additionalProperties"], case .object = additional, schema["properties"] == nil {
                return .map(fromCRD(additional, top: false), atomic: atomicMap)
            }
            var fields: [String: Shape] = [:]
            for (key, sub) in schema["properties"]?.objectValue ?? Object() { fields[key] = fromCRD(sub, top: false) }
            // apiVersion, kind and metadata are the server's, whatever the schema says of them.
            if top || schema["x-kubernetes-embedded-resource"]?.boolValue == true {
                fields["apiVersion"] = .scalar
                fields["kind"] = .scalar
                fields["metadata"] = BuiltinSchema.objectMeta
            }
            let additionalTrue = schema["additionalProperties"]?.boolValue == true
            return .object(fields, atomic: atomicMap, preserveUnknown: preserve || additionalTrue)
        default:
            return .scalar
        }
    }
}

extension BuiltinSchema {
    static let objectMeta = Shape.named("apimachinery.pkg.apis.meta.v1.ObjectMeta", atomic: false)
}
