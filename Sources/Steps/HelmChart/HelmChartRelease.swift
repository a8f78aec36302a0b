import Engine
import Kube

// Done means the release runs: after helm-controller's Job, the release's own workloads
// (Steps/Shared/HelmRelease.swift says why and how).
extension HelmChart {
    var release: HelmRelease { HelmRelease(name: parameters.name, namespace: parameters.targetNamespace) }

    func waitForRelease(_ kube: KubeClient, _ context: StepContext) async throws {
        try await release.wait(kube, context, settle: parameters.settle.flatMap(GoDuration.parse),
                               what: "release \(parameters.name) (chart \(chartSource) \(parameters.version))")
    }

    func releaseDrift(_ kube: KubeClient) async throws -> [String] { try await release.drift(kube) }
}
