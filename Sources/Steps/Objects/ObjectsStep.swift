import Document
import Engine

/// `kube.objects`: arbitrary Kubernetes objects, server-side applied in the order written.
public struct ObjectsStep: StepDriver {
    public struct Parameters: Decodable, Sendable {
        public var objects: [Value]
    }

    public static let type = "kube.objects"
    public static let version = 1
    public static let target = StepTarget.cluster
    public static let summary = "Any Kubernetes objects, server-side applied in the order written."

    let parameters: Parameters
    public init(id: String, parameters: Parameters) { self.parameters = parameters }

    public static func validate(_ parameters: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for (index, object) in parameters.objects.enumerated() {
            let at = String(index)
            for field in ["apiVersion", "kind"] where object[field]?.stringValue == nil {
                problems.append(context.error("object needs a string \"\(field)\"", at: "objects", at))
            }
            if object[path: ["metadata", "name"]]?.stringValue == nil {
                problems.append(context.error("object needs metadata.name", at: "objects", at))
            }
            // A secret here would be stored and printed in the clear.
            problems += ObjectSecretRules.check(object, at: at, context)
            if object["kind"]?.stringValue == "ConfigMap" {
                for field in ["data", "binaryData"] {
                    for (key, value) in object[field]?.objectValue ?? Object() where value.containsSensitive {
                        problems.append(context.error("a ConfigMap cannot hold a secret (\(field).\(key)); put it in a Secret", at: "objects", at, field, key))
                    }
                }
            }
            if object["kind"]?.stringValue == "Secret", !(object["data"]?.containsSensitive ?? true) || !(object["stringData"]?.containsSensitive ?? true) {
                problems.append(context.warning("Secret values written in the playbook are not protected; take them from ${{ secrets.* }}", at: "objects", at))
            }
        }
        return problems
    }

    public func check(_ context: StepContext) async throws -> ChangeSet {
        ChangeSet(objects: parameters.objects)
    }
}
