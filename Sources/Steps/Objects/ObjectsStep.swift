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
            // Secrets go only into Secrets' data: anywhere else they would be stored and shown in clear.
            var outside = object
            if object["kind"]?.stringValue == "Secret" {
                outside["data"] = nil
                outside["stringData"] = nil
            }
            if let path = HelmChart.sensitivePath(outside) {
                let dotted = path.joined(separator: ".")
                problems.append(.error("step \"\(context.stepID)\": objects.\(at).\(dotted) takes a secret, but only a Secret's data keeps one "
                    + "protected; put the value in a Secret and refer to it", at: context.mark(["objects", at] + path)))
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
