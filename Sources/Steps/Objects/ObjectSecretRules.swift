import Document
import Engine

/// Where `kube.objects` refuses a secret: every place the API server stores and shows it in the clear.
///
/// Labels and annotations are copied from a pod template onto every ReplicaSet, Job and Pod made
/// from it, and a container's `env[].value` onto every Pod, all readable by anyone who may list
/// them; a secret belongs in a Secret, reached through `secretKeyRef` or `secretRef`.
enum ObjectSecretRules {
    /// Paths (from the object) of the object metadata a workload copies onto what it creates:
    /// a pod template in any workload kind (`spec.template`: Deployment, StatefulSet, DaemonSet,
    /// ReplicaSet, ReplicationController, Job, and custom kinds that embed one), a PodTemplate's
    /// `template`, a CronJob's `jobTemplate` and the pod template inside it.
    static let templates: [[String]] = [["spec", "template"], ["template"], ["spec", "jobTemplate"],
                                        ["spec", "jobTemplate", "spec", "template"]]

    /// Paths of pod specs: a Pod's own, and the `spec` of each pod template above.
    static let podSpecs: [[String]] = [["spec"], ["spec", "template", "spec"], ["template", "spec"],
                                       ["spec", "jobTemplate", "spec", "template", "spec"]]

    static let containerLists = ["initContainers", "containers", "ephemeralContainers"]

    static func check(_ object: Value, at index: String, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for path in [[]] + templates {
            for field in ["labels", "annotations"] {
                let fieldPath = path + ["metadata", field]
                for (key, value) in object[path: fieldPath]?.objectValue ?? Object() where value.containsSensitive {
                    let message = path.isEmpty
                        ? "object \(field) cannot hold a secret (\(field).\(key)); put it in a Secret"
                        : "template \(field) cannot hold a secret (\((fieldPath + [key]).joined(separator: "."))): they are copied "
                            + "in plain text onto everything made from the template; put it in a Secret"
                    problems.append(context.error(message, at: ["objects", index] + fieldPath + [key]))
                }
            }
        }
        for path in podSpecs {
            problems += environment(of: object, podSpec: path, at: index, context)
        }
        return problems
    }

    /// A secret in a container's `env[].value` is stored in the Pod and its owner in plain text.
    private static func environment(of object: Value, podSpec: [String], at index: String, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for list in containerLists {
            for (position, container) in (object[path: podSpec + [list]]?.arrayValue ?? []).enumerated() {
                for (entry, variable) in (container["env"]?.arrayValue ?? []).enumerated() where variable["value"]?.containsSensitive == true {
                    let path = podSpec + [list, String(position), "env", String(entry), "value"]
                    let name = variable["name"]?.stringValue.map { " \($0)" } ?? ""
                    problems.append(context.error("the environment variable\(name) cannot hold a secret in env[].value (\(path.joined(separator: "."))): "
                        + "it is stored in plain text; put it in a Secret and use valueFrom.secretKeyRef", at: ["objects", index] + path))
                }
            }
        }
        return problems
    }
}
