import Document
import FoundationEssentials

/// Per-kind defaults and checks, the emulator's share of the API server's registry strategies.
extension Store {
    func validate(_ t: ResourceType, _ object: inout Value, name: String) throws(APIError) {
        if let schema = t.schema {
            var validator = SchemaValidator()
            object = validator.validateResource(object, schema: schema)
            if !validator.causes.isEmpty { throw .invalid(t, name, validator.causes) }
            return
        }
        switch (t.group, t.kind) {
        case ("", "ConfigMap"):
            for field in ["data", "binaryData"] {
                for (_, v) in object[field]?.objectValue ?? Object() where v.stringValue == nil && !v.isSensitive {
                    throw .badRequest("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal \(v.typeName) into Go struct field ConfigMap.\(field) of type string")
                }
            }
            let size = Self.bytes(of: object["data"], base64: false) + Self.bytes(of: object["binaryData"], base64: true)
            // The real server names no field for a ConfigMap (`[]`), `data` for a Secret (kube-apiserver v1.20.2).
            if size > Self.maxDataBytes { throw .invalid(t, name, [Self.tooLong(field: "[]")]) }
        case ("", "Secret"):
            if let stringData = object["stringData"]?.objectValue {
                var data = object["data"]?.objectValue ?? Object()
                for (k, v) in stringData {
                    let text: String
                    switch v {
                    case .string(let s): text = s
                    case .sensitive(let s): text = s.revealed
                    default: throw .badRequest("Secret in version \"v1\" cannot be handled as a Secret: json: cannot unmarshal \(v.typeName) into Go struct field Secret.stringData of type string")
                    }
                    data[k] = .string(Data(text.utf8).base64EncodedString())
                }
                object["data"] = .object(data)
                object["stringData"] = nil
            }
            for (k, v) in object["data"]?.objectValue ?? Object() {
                guard let s = v.stringValue, Data(base64Encoded: s) != nil else {
                    throw .invalid(t, name, [.init(reason: "FieldValueInvalid", field: "data[\(k)]", detail: "Invalid value: \"<secret contents redacted>\": illegal base64 data")])
                }
            }
            if Self.bytes(of: object["data"], base64: true) > Self.maxDataBytes { throw .invalid(t, name, [Self.tooLong(field: "data")]) }
            if object["type"] == nil { object["type"] = "Opaque" }
        case ("", "Namespace"):
            var labels = object[path: ["metadata", "labels"]]?.objectValue ?? Object()
            labels["kubernetes.io/metadata.name"] = .string(name)
            object["metadata"]?["labels"] = .object(labels)
            if object[path: ["spec", "finalizers"]] == nil { object["spec"] = ["finalizers": ["kubernetes"]] }
            if object[path: ["status", "phase"]] == nil { object["status"] = ["phase": "Active"] }
        case ("", "Service"):
            if object["spec"] == nil { object["spec"] = .object(Object()) }
            if object[path: ["spec", "type"]] == nil { object["spec"]?["type"] = "ClusterIP" }
            if object[path: ["spec", "clusterIP"]] == nil, object[path: ["spec", "type"]]?.stringValue != "ExternalName" {
                let h = stableHash("\(object[path: ["metadata", "namespace"]]?.stringValue ?? "")/\(name)")
                let ip = "10.43.\(h % 256).\(2 + (h >> 8) % 250)"
                object["spec"]?["clusterIP"] = .string(ip)
                object["spec"]?["clusterIPs"] = [.string(ip)]
            }
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            try validateCRD(object, name: name)
        default:
            break
        }
    }

    /// What a ConfigMap's or a Secret's values may hold together: Kubernetes' `MaxSecretSize`
    /// (pkg/apis/core/types.go), which `ValidateConfigMap` and `ValidateSecret` apply
    /// (pkg/apis/core/validation/validation.go) to the values' bytes, keys not counted.
    static let maxDataBytes = 1 << 20
    static func tooLong(field: String) -> APIError.Cause {
        APIError.Cause(reason: "FieldValueTooLong", field: field, detail: "Too long: must have at most 1048576 bytes")
    }

    /// The bytes of a map's values: as written, or decoded from base64 (binaryData, a Secret's data).
    static func bytes(of map: Value?, base64: Bool) -> Int {
        (map?.objectValue ?? Object()).reduce(0) { sum, entry in
            let text: String
            switch entry.value {
            case .string(let plain): text = plain
            case .sensitive(let secret): text = secret.revealed
            default: text = ""
            }
            return sum + (base64 ? (Data(base64Encoded: text)?.count ?? text.utf8.count) : text.utf8.count)
        }
    }

    private func validateCRD(_ crd: Value, name: String) throws(APIError) {
        let t = BuiltIn.crd
        var causes: [APIError.Cause] = []
        let group = crd[path: ["spec", "group"]]?.stringValue ?? ""
        let plural = crd[path: ["spec", "names", "plural"]]?.stringValue ?? ""
        if group.isEmpty { causes.append(.init(reason: "FieldValueRequired", field: "spec.group", detail: "Required value")) }
        if plural.isEmpty { causes.append(.init(reason: "FieldValueRequired", field: "spec.names.plural", detail: "Required value")) }
        if crd[path: ["spec", "names", "kind"]]?.stringValue?.isEmpty ?? true {
            causes.append(.init(reason: "FieldValueRequired", field: "spec.names.kind", detail: "Required value"))
        }
        if !group.isEmpty, !plural.isEmpty, name != "\(plural).\(group)" {
            causes.append(.init(reason: "FieldValueInvalid", field: "metadata.name",
                                detail: "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group"))
        }
        let scope = crd[path: ["spec", "scope"]]?.stringValue ?? ""
        if scope != "Namespaced" && scope != "Cluster" {
            causes.append(.init(reason: "FieldValueNotSupported", field: "spec.scope",
                                detail: "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\""))
        }
        let versions = crd[path: ["spec", "versions"]]?.arrayValue ?? []
        if versions.isEmpty { causes.append(.init(reason: "FieldValueRequired", field: "spec.versions", detail: "Required value")) }
        if !versions.isEmpty, versions.filter({ $0["storage"]?.boolValue == true }).count != 1 {
            causes.append(.init(reason: "FieldValueInvalid", field: "spec.versions", detail: "Invalid value: \(JSON.encode(crd[path: ["spec", "versions"]] ?? .null).prefix(80)): must have exactly one version marked as storage version"))
        }
        if !causes.isEmpty { throw .invalid(t, name, causes) }
    }
}
