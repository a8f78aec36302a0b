import Document
import Kube

/// A workload's rollout as `kubectl rollout status` decides it
/// (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go), and what its pods say when
/// it does not come. `app.workload` and `helm.chart` (a release's own workloads) both wait by it, so
/// both fail for the same reasons, worded the same way.
///
/// A Deployment is rolled out once generation <= observedGeneration, updatedReplicas = spec.replicas,
/// no old replicas are left and availableReplicas = updatedReplicas (a Progressing condition with
/// reason ProgressDeadlineExceeded fails it); a StatefulSet once observed, readyReplicas =
/// spec.replicas and updateRevision = currentRevision; a Job once its Complete condition is True
/// (Failed or FailureTarget fails it). RolloutWait adds the settle window on top of this.
public enum Rollout: Equatable, Sendable {
    case done
    case waiting(String)
    case failed(String)

    /// The workload kinds a rollout is watched for.
    public enum Kind: String, Sendable {
        case Deployment, StatefulSet, Job
        var apiVersion: String { self == .Job ? "batch/v1" : "apps/v1" }
        /// Pods restart in place (restartPolicy Always): any exit or restart is a failure.
        var restartsInPlace: Bool { self != .Job }
    }

    public static func of(_ kind: Kind, _ object: Value) -> Rollout {
        let status = object["status"] ?? .null
        let generation = object[path: ["metadata", "generation"]]?.intValue ?? 1
        let observed = status["observedGeneration"]?.intValue ?? 0
        let replicas = object[path: ["spec", "replicas"]]?.intValue ?? 1
        func count(_ key: String) -> Int { status[key]?.intValue ?? 0 }
        switch kind {
        case .Deployment:
            guard generation <= observed else { return .waiting("the Deployment's new spec to be observed") }
            let conditions = status["conditions"]?.arrayValue ?? []
            if conditions.contains(where: { $0["type"]?.stringValue == "Progressing" && $0["reason"]?.stringValue == "ProgressDeadlineExceeded" }) {
                return .failed("the Deployment exceeded its progress deadline")
            }
            if count("updatedReplicas") < replicas { return .waiting("\(count("updatedReplicas")) of \(replicas) new replicas updated") }
            if count("replicas") > count("updatedReplicas") { return .waiting("\(count("replicas") - count("updatedReplicas")) old replicas to terminate") }
            if count("availableReplicas") < count("updatedReplicas") {
                return .waiting("\(count("availableReplicas")) of \(count("updatedReplicas")) updated replicas available")
            }
            return .done
        case .StatefulSet:
            guard observed > 0, generation <= observed else { return .waiting("the StatefulSet's new spec to be observed") }
            if count("readyReplicas") < replicas { return .waiting("\(replicas - count("readyReplicas")) pods to be ready") }
            let update = status["updateRevision"]?.stringValue ?? ""
            if update != (status["currentRevision"]?.stringValue ?? "") { return .waiting("pods at revision \(update)") }
            return .done
        case .Job:
            for condition in status["conditions"]?.arrayValue ?? [] where condition["status"]?.stringValue == "True" {
                switch condition["type"]?.stringValue {
                case "Complete": return .done
                // FailureTarget comes first (1.29+), Failed once its pods are gone: either decides.
                case "Failed", "FailureTarget":
                    let reason = condition["reason"]?.stringValue ?? "Failed"
                    return .failed(condition["message"]?.stringValue.map { "\(reason): \($0)" } ?? reason)
                default: continue
                }
            }
            return .waiting("the Job to complete")
        }
    }

    /// Whether the controller has seen the workload's current spec: before that, the pods it points
    /// at are the previous revision's, whose troubles are not this rollout's.
    static func observed(_ kind: Kind, _ object: Value) -> Bool {
        guard kind != .Job else { return true }
        let generation = object[path: ["metadata", "generation"]]?.intValue ?? 1
        let observed = object[path: ["status", "observedGeneration"]]?.intValue ?? 0
        return observed > 0 && generation <= observed
    }

    /// The pods of the revision being rolled out, found the way the controllers label them: a
    /// Deployment's newest ReplicaSet's `pod-template-hash`, a StatefulSet's `controller-revision-hash`
    /// = status.updateRevision, a Job's `controller-uid`. Pods being deleted are left out.
    static func currentPods(_ kube: KubeClient, _ kind: Kind, _ live: Value, hashes: inout [String: String]) async throws -> [Value] {
        guard observed(kind, live) else { return [] }
        let namespace = live[path: ["metadata", "namespace"]]?.stringValue
        let uid = live[path: ["metadata", "uid"]]?.stringValue ?? ""
        let matchLabels = (live[path: ["spec", "selector", "matchLabels"]]?.objectValue ?? Object())
            .map { "\($0.key)=\($0.value.stringValue ?? "")" }
        var selector: [String]
        switch kind {
        case .Deployment:
            let revision = live[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]]?.stringValue ?? ""
            if hashes[revision] == nil {
                let sets = try await kube.list(apiVersion: "apps/v1", kind: "ReplicaSet", namespace: namespace,
                                               labelSelector: matchLabels.isEmpty ? nil : matchLabels.joined(separator: ","))
                let newest = sets.first { set in
                    (set[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).contains { $0["uid"]?.stringValue == uid }
                        && set[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]]?.stringValue == revision
                }
                guard let hash = newest?[path: ["metadata", "labels", "pod-template-hash"]]?.stringValue else { return [] }
                hashes[revision] = hash
            }
            selector = matchLabels + ["pod-template-hash=\(hashes[revision] ?? "")"]
        case .StatefulSet:
            guard let revision = live[path: ["status", "updateRevision"]]?.stringValue else { return [] }
            selector = matchLabels + ["controller-revision-hash=\(revision)"]
        case .Job:
            selector = ["controller-uid=\(uid)"]
        }
        return try await kube.list(apiVersion: "v1", kind: "Pod", namespace: namespace, labelSelector: selector.joined(separator: ","))
            .filter { $0[path: ["metadata", "deletionTimestamp"]] == nil }
    }

    /// How long a healthy rollout keeps watching once it is rolled out: the pods must stay Ready,
    /// with no container restart, for max(10 s, the longest readiness or liveness probe's
    /// periodSeconds × failureThreshold) — long enough for a probe to fail as often as it must
    /// before the kubelet acts (defaults 10 s and 3, pkg/apis/core/v1/defaults.go: SetDefaults_Probe).
    public static func settleWindow(template: Value) -> Duration {
        var longest = 10
        for container in template[path: ["spec", "containers"]]?.arrayValue ?? [] {
            for key in ["readinessProbe", "livenessProbe"] {
                guard let probe = container[key], probe != .null else { continue }
                longest = max(longest, (probe["periodSeconds"]?.intValue ?? 10) * (probe["failureThreshold"]?.intValue ?? 3))
            }
        }
        return .seconds(longest)
    }
}
