import Document
import Engine
import Kube

// Waiting for the release's own workloads.
//
// helm-controller's Job runs `helm install` / `helm upgrade` without `--wait` (k3s-io/klipper-helm
// `entry` at v0.9.3-build20241008, the job image helm-controller v0.16.5 names in
// pkg/controllers/chart/chart.go: DefaultJobImage; only `helm uninstall` gets `--wait`), so the
// Job completes as soon as the objects exist. The step then waits for the release's Deployments
// and StatefulSets as app.workload waits for its own (RolloutWait: rolled out, then settled, failing
// on a restart with the pod, the reason and the last log lines). They are found by the annotations
// Helm 3 puts on every object of a release (helm/helm pkg/action/validate.go, setMetadataVisitor:
// meta.helm.sh/release-name and meta.helm.sh/release-namespace), which no chart can leave out.
extension HelmChart {
    static let releaseNameAnnotation = "meta.helm.sh/release-name"
    static let releaseNamespaceAnnotation = "meta.helm.sh/release-namespace"

    /// The release's Deployments and StatefulSets in its namespace, by name.
    func releaseWorkloads(_ kube: KubeClient) async throws -> [(kind: Rollout.Kind, name: String)] {
        var found: [(kind: Rollout.Kind, name: String)] = []
        for kind in [Rollout.Kind.StatefulSet, .Deployment] {
            let items = try await kube.list(apiVersion: "apps/v1", kind: kind.rawValue, namespace: parameters.targetNamespace, labelSelector: nil)
            for item in items {
                let annotations = item[path: ["metadata", "annotations"]]
                guard annotations?[Self.releaseNameAnnotation]?.stringValue == parameters.name,
                      annotations?[Self.releaseNamespaceAnnotation]?.stringValue == parameters.targetNamespace,
                      let name = item[path: ["metadata", "name"]]?.stringValue else { continue }
                found.append((kind, name))
            }
        }
        return found.sorted { ($0.kind.rawValue, $0.name) < ($1.kind.rawValue, $1.name) }
    }

    /// Waits for each of the release's workloads in turn.
    func waitForRelease(_ kube: KubeClient, _ context: StepContext) async throws {
        let workloads = try await releaseWorkloads(kube)
        if workloads.isEmpty {
            context.progress("release \(parameters.name) has no Deployment or StatefulSet in \(parameters.targetNamespace) to wait for")
        }
        let settle = parameters.settle.flatMap(Self.goDuration)
        for workload in workloads {
            let wait = RolloutWait(kind: workload.kind, namespace: parameters.targetNamespace, name: workload.name,
                                   settle: settle, limit: context.waitTimeout)
            try await wait.run(kube, progress: context.progress) { detail in
                StepError("the rollout of \(workload.kind.rawValue) \(parameters.targetNamespace)/\(workload.name) of release \(parameters.name) "
                    + "(chart \(parameters.chart) \(parameters.version)) failed: \(detail)")
            }
        }
    }

    /// For `verify`: the release's workloads that are not rolled out.
    func releaseDrift(_ kube: KubeClient) async throws -> [String] {
        var drift: [String] = []
        for workload in try await releaseWorkloads(kube) {
            let ref = ObjectRef(apiVersion: "apps/v1", kind: workload.kind.rawValue, namespace: parameters.targetNamespace, name: workload.name)
            guard let live = try await kube.get(ref) else { continue }
            switch Rollout.of(workload.kind, live) {
            case .done: break
            case .waiting(let what): drift.append("\(ref.kind) \(parameters.targetNamespace)/\(workload.name) is not rolled out: waiting for \(what)")
            case .failed(let reason): drift.append("\(ref.kind) \(parameters.targetNamespace)/\(workload.name) failed: \(reason)")
            }
        }
        return drift
    }
}
