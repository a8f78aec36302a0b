import Document
import Engine
import Kube

/// A Helm release's own workloads, waited for as app.workload waits for its own.
///
/// helm-controller's Job runs `helm install` / `helm upgrade` without `--wait` (k3s-io/klipper-helm
/// `entry` at v0.9.3-build20241008, the job image helm-controller v0.16.5 names in
/// pkg/controllers/chart/chart.go: DefaultJobImage; only its `helm uninstall` gets `--wait`), so
/// the Job completes as soon as the objects exist. `helm.chart` and `traefik.acme` then wait for the
/// release's Deployments and StatefulSets by ``RolloutWait``: rolled out, then settled, failing on a
/// restart with the pod, the reason and the last log lines. They are found by the annotations Helm 3
/// puts on every object of a release (helm/helm pkg/action/validate.go, setMetadataVisitor:
/// meta.helm.sh/release-name and meta.helm.sh/release-namespace), which no chart can leave out.
struct HelmRelease {
    static let nameAnnotation = "meta.helm.sh/release-name"
    static let namespaceAnnotation = "meta.helm.sh/release-namespace"

    var name: String
    var namespace: String

    /// The marks Helm leaves on every object of this release.
    var annotations: [String: String] { [Self.nameAnnotation: name, Self.namespaceAnnotation: namespace] }

    /// The release's Deployments and StatefulSets in its namespace, StatefulSets first, by name.
    func workloads(_ kube: KubeClient) async throws -> [(kind: Rollout.Kind, name: String)] {
        var found: [(kind: Rollout.Kind, name: String)] = []
        for kind in [Rollout.Kind.StatefulSet, .Deployment] {
            for item in try await kube.list(apiVersion: "apps/v1", kind: kind.rawValue, namespace: namespace, labelSelector: nil) {
                let annotations = item[path: ["metadata", "annotations"]]
                guard annotations?[Self.nameAnnotation]?.stringValue == name, annotations?[Self.namespaceAnnotation]?.stringValue == namespace,
                      let workload = item[path: ["metadata", "name"]]?.stringValue else { continue }
                found.append((kind, workload))
            }
        }
        return found.sorted { $0.kind == $1.kind ? $0.name < $1.name : $0.kind == .StatefulSet }
    }

    /// Waits for each workload in turn; `what` names the release in a failure ("release X (chart Y 1.2.3)").
    func wait(_ kube: KubeClient, _ context: StepContext, settle: Duration?, what: String) async throws {
        let workloads = try await workloads(kube)
        if workloads.isEmpty { context.progress("release \(name) has no Deployment or StatefulSet in \(namespace) to wait for") }
        for workload in workloads {
            let wait = RolloutWait(kind: workload.kind, namespace: namespace, name: workload.name, settle: settle, limit: context.waitTimeout)
            try await wait.run(kube, progress: context.progress) { detail in
                StepError("the rollout of \(workload.kind.rawValue) \(namespace)/\(workload.name) of \(what) failed: \(detail)")
            }
        }
    }

    /// For `verify`: the release's workloads that are not rolled out.
    func drift(_ kube: KubeClient) async throws -> [String] {
        var drift: [String] = []
        for workload in try await workloads(kube) {
            let ref = ObjectRef(apiVersion: "apps/v1", kind: workload.kind.rawValue, namespace: namespace, name: workload.name)
            guard let live = try await kube.get(ref) else { continue }
            switch Rollout.of(workload.kind, live) {
            case .done: break
            case .waiting(let what): drift.append("\(ref.kind) \(namespace)/\(workload.name) is not rolled out: waiting for \(what)")
            case .failed(let reason): drift.append("\(ref.kind) \(namespace)/\(workload.name) failed: \(reason)")
            }
        }
        return drift
    }
}
