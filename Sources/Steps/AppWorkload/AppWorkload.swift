import Platform
import Document
import Engine
import FoundationEssentials
import Kube

/// `app.workload`: one service of the stack, one step. A ServiceAccount without rights, its
/// configuration in a ConfigMap, its secrets in a Secret, the Deployment, StatefulSet or Job, a
/// ClusterIP Service for its ports and ExternalName aliases in the namespaces of its callers; apply
/// waits for the rollout and names the pod and the reason when it does not come.
public struct AppWorkload: StepDriver, ReadsFiles {
    public enum Kind: String, ParameterEnum {
        case Deployment, StatefulSet, Job
    }

    /// A Deployment's `spec.strategy.type`.
    public enum Strategy: String, ParameterEnum {
        case RollingUpdate, Recreate
    }

    public struct Port: Decodable, Sendable {
        /// An IANA service name: what probes, smoke checks and routes refer to.
        public var name: String
        public var port: Int
        /// The container's port when it differs from the Service's.
        public var targetPort: Int?
        public var `protocol`: String?
        /// The node's port, bound by the pod itself (the CNI's portmap plugin DNATs it), so the
        /// workload sees each client's own address, as compose's published ports did. A Deployment
        /// with a host port is replaced with Recreate (README, "Host ports").
        public var hostPort: Int?

        public var containerPort: Int { targetPort ?? port }
        public var protocolName: String { `protocol` ?? "TCP" }
    }

    /// A file beside the playbook (or a path relative to it), read while the playbook is checked.
    public struct PlaybookFile: Decodable, Sendable {
        public var path: String
        /// The content; nil when the file could not be read (reported at its position).
        public var content: String?

        public init(from decoder: any Decoder) throws {
            path = try decoder.singleValueContainer().decode(String.self)
            let reporter = decoder as? any ParameterReporting
            let base = reporter?.mark.map { URL(fileURLWithPath: $0.file).deletingLastPathComponent().path } ?? "."
            let full = path.hasPrefix("/") ? path : PathText.join(base, path)
            let text: String
            do { text = try TextFile.read(full) } catch {
                reporter?.report("file \"\(path)\" cannot be read beside the playbook (\(full): \(error.reason))")
                return
            }
            content = text
        }

        package init(path: String, content: String) {
            self.path = path
            self.content = content
        }
    }

    /// One file in the container: from a file beside the playbook, inline text, or a secret.
    public struct File: Decodable, Sendable {
        public var from: PlaybookFile?
        public var content: Value?
        public var secret: Sensitive?
        public var mode: String?
    }

    public struct Mount: Decodable, Sendable {
        /// A claim of a `storage.local-volumes` step.
        public var claim: String
        public var mountPath: String
        public var subPath: String?
        public var readOnly: Bool?
    }

    public struct HTTPCheck: Decodable, Sendable {
        public var path: String
        /// A port name of `ports`, or a number.
        public var port: String
        /// The status a smoke check expects (default 200).
        public var expect: Int?
    }

    public struct TCPCheck: Decodable, Sendable {
        public var port: String
    }

    public struct ExecCheck: Decodable, Sendable {
        public var command: [String]
    }

    public struct Probe: Decodable, Sendable {
        public var http: HTTPCheck?
        public var tcp: TCPCheck?
        public var exec: ExecCheck?
        public var initialDelaySeconds: Int?
        public var periodSeconds: Int?
        public var timeoutSeconds: Int?
        public var failureThreshold: Int?
    }

    public struct Probes: Decodable, Sendable {
        public var readiness: Probe?
        public var liveness: Probe?
        public var startup: Probe?
    }

    public struct ResourceAmounts: Decodable, Sendable {
        public var cpu: String?
        public var memory: String?
    }

    public struct Resources: Decodable, Sendable {
        public var requests: ResourceAmounts?
        public var limits: ResourceAmounts?
    }

    /// The workload's Service under another name, in another namespace: compose's bare host names.
    public struct Alias: Decodable, Sendable {
        /// Defaults to the workload's name.
        public var name: String?
        /// Defaults to the workload's namespace.
        public var namespace: String?
    }

    public struct Smoke: Decodable, Sendable {
        public var http: HTTPCheck
    }

    public struct Parameters: Decodable, Sendable {
        public var name: String
        public var namespace: String
        public var kind: Kind?
        public var image: String
        public var command: [String]?
        public var args: [String]?
        /// Deployment and StatefulSet only (default 1).
        public var replicas: Int?
        /// Plain environment: goes into the ConfigMap. A secret here is refused.
        public var env: [String: Value]?
        /// docker-compose env files beside the playbook (KEY=VALUE lines), into the ConfigMap.
        public var envFiles: [PlaybookFile]?
        /// Environment from the secrets file: goes into the Secret only.
        public var secretEnv: [String: Sensitive]?
        /// Container path -> file.
        public var files: [String: File]?
        public var ports: [Port]?
        public var volumes: [Mount]?
        public var probes: Probes?
        public var resources: Resources?
        /// `UID` or `UID:GID`, numeric.
        public var user: String?
        public var aliases: [Alias]?
        public var smoke: Smoke?
        /// How long apply waits for the rollout, a Go duration (default: the run's `--timeout`).
        public var timeout: String?
        /// How long the new pods must then stay Ready with no container restart, a Go duration
        /// (default: max(10s, the longest readiness/liveness probe's period × failure threshold); 0s: none).
        public var settle: String?
        /// Deployment only: how its pods are replaced (default RollingUpdate; ``AppWorkload/recreateReasons`` says when it must be Recreate).
        public var strategy: Strategy?
        /// Job only: retries before the Job fails (default 0: a failed migration is for a person).
        public var backoffLimit: Int?

        public var kindChoice: Kind { kind ?? .Deployment }
        public var replicaCount: Int { kindChoice == .Job ? 1 : (replicas ?? 1) }
    }

    public static let type = "app.workload"
    public static let version = 1
    public static let target = StepTarget.cluster
    public static let summary = "One service: ServiceAccount, ConfigMap, Secret, Deployment/StatefulSet/Job, Service and aliases; waits for the rollout"

    public let id: String
    public let parameters: Parameters
    public init(id: String, parameters: Parameters) {
        self.id = id
        self.parameters = parameters
    }

    /// The content of every file read beside the playbook: a changed file re-runs the step.
    public var digestInputs: Value? {
        var files = Object()
        for file in parameters.envFiles ?? [] { files[file.path] = .string(file.content ?? "") }
        for (_, spec) in parameters.files ?? [:] {
            if let from = spec.from { files[from.path] = .string(from.content ?? "") }
        }
        return files.isEmpty ? nil : .object(files)
    }
}
