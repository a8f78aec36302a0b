import Document

/// The `fieldValidation` query parameter (Kubernetes 1.25+; KEP 2885): what a create, update or
/// non-apply patch does with fields the schema does not declare. They are dropped in every case (a
/// built-in type's decoder has nowhere to put them, a CRD's structural schema prunes them:
/// staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go);
/// `Strict` refuses the request instead, `Warn` (the default) says so in a `Warning` header per
/// field, `Ignore` says nothing. Server-side apply is stricter: an unknown field in an apply
/// configuration is always an error (staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/
/// structuredmerge.go: "failed to create typed patch object"), whatever the parameter says
/// (test/integration/apiserver/field_validation_test.go: "even prior to server-side validation,
/// unknown fields were treated as errors in apply-patch").
enum FieldValidation: String, Sendable {
    case strict = "Strict", warn = "Warn", ignore = "Ignore"
}

/// One field the schema does not declare, named both ways the API server names it.
struct UnknownField: Sendable {
    /// `spec.ports[0].unknownNested`, as strict decoding and warnings say it.
    var path: String
    /// `.spec.ports[name="http"].unknownNested`, as structured-merge-diff says it.
    var typedPath: String
}

extension Shape {
    /// `value` without the fields this shape does not declare, and the fields dropped.
    func pruned(_ value: Value, path: String = "", typedPath: String = "", unknown: inout [UnknownField]) -> Value {
        switch resolved {
        case .scalar, .any, .named:
            return value
        case .list(let element, let type):
            guard case .array(let items) = value else { return value }
            return .array(items.enumerated().map { i, item in
                let typed: String = switch type {
                case .map(let keys): typedPath + "[" + keys.map { "\($0)=\(JSON.encode(item[$0] ?? .null))" }.joined(separator: ",") + "]"
                case .set: typedPath + "[=\(JSON.encode(item))]"
                case .atomic: typedPath + "[\(i)]"
                }
                return element.pruned(item, path: path + "[\(i)]", typedPath: typed, unknown: &unknown)
            })
        case .map(let element, _):
            // Labels, annotations, ConfigMap data: nothing under them can be unknown.
            if case .scalar = element.resolved { return value }
            fallthrough
        case .object:
            guard case .object(let object) = value else { return value }
            var out = Object()
            for (key, item) in object {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                guard let shape = child(key, value: item) else {
                    unknown.append(UnknownField(path: childPath, typedPath: "\(typedPath).\(key)"))
                    continue
                }
                out[key] = shape.pruned(item, path: childPath, typedPath: "\(typedPath).\(key)", unknown: &unknown)
            }
            return .object(out)
        }
    }
}

extension ResourceType {
    /// What apply and field validation know of this type: the CRD's schema, or the 1.31 table for a
    /// built-in kind (anything else merges key by key and keeps every field).
    var shape: Shape {
        if let crdShape { return crdShape }
        return BuiltinSchema.shape(apiVersion: apiVersion, kind: kind) ?? .deduced
    }

    /// `traefik.io/v1alpha1, Kind=IngressRoute` (`/v1, Kind=Secret`), as apimachinery prints a GroupVersionKind.
    var printedGVK: String { "\(group)/\(version), Kind=\(kind)" }
}

extension APIError {
    /// 400 for `fieldValidation=Strict` (staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json,
    /// strict decoding): `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`;
    /// a built-in type's message starts like every decoding error of its kind.
    static func strictDecoding(_ type: ResourceType, _ fields: [UnknownField]) -> APIError {
        let list = fields.map { "unknown field \(JSON.encode(.string($0.path)))" }.joined(separator: ", ")
        let prefix = type.crdShape == nil ? "\(type.kind) in version \"\(type.version)\" cannot be handled as a \(type.kind): " : ""
        return .badRequest("\(prefix)strict decoding error: \(list)")
    }

    /// What a real server answers to an apply configuration with fields its schema lacks: 500 with
    /// no reason (the error is not a Status, so apiserver's ErrorToAPIStatus makes it one), the
    /// fields named by structured-merge-diff (typed/validate.go "field not declared in schema").
    static func undeclaredFields(_ type: ResourceType, namespace: String?, name: String, _ fields: [UnknownField]) -> APIError {
        let errors = fields.map { "\($0.typedPath): field not declared in schema" }
        let text = errors.count == 1 ? errors[0] : "errors:\n" + errors.map { "  " + $0 }.joined(separator: "\n")
        return APIError(code: 500, reason: "",
                        message: "failed to create typed patch object (\(namespace ?? "")/\(name); \(type.printedGVK)): \(text)")
    }

    /// 409 for an apply that would change fields other managers own
    /// (staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go, NewConflictError;
    /// staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go, NewApplyConflict).
    static func applyConflict(_ conflicts: Apply.Conflicts) -> APIError {
        let items = conflicts.items.map { (manager: Apply.printedManager($0.entry), path: Apply.printed($0.path)) }
        let message: String
        if items.count == 1 {
            message = "Apply failed with 1 conflict: conflict with \(items[0].manager): \(items[0].path)"
        } else {
            var lines: [String] = []
            for manager in Set(items.map(\.manager)).sorted() {
                lines.append("conflicts with \(manager):")
                lines += items.filter { $0.manager == manager }.map { "- \($0.path)" }
            }
            message = "Apply failed with \(items.count) conflicts: " + lines.joined(separator: "\n")
        }
        let causes: [Value] = items.map {
            ["reason": "FieldManagerConflict", "message": .string("conflict with \($0.manager)"), "field": .string($0.path)]
        }
        return APIError(code: 409, reason: "Conflict", message: message, details: ["causes": .array(causes)])
    }
}

/// A `Warning` header value as kube-apiserver sends it: code 299, agent `-`, the text quoted with
/// backslash escapes (staging/src/k8s.io/apimachinery/pkg/util/net/http.go, NewWarningHeader; added
/// per warning by staging/src/k8s.io/apiserver/pkg/endpoints/filters/warning.go).
func warningHeader(_ text: String) -> String {
    "299 - \"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
}
