import Kube

/// A step type whose objects route host names to services through the node's ingress:
/// `bootstrap verify` asks each name on the node's 443. It is the step type's to know which live
/// objects those are and how they name their hosts.
public protocol RoutesHostNames: StepDriver {
    /// The host names the live routes of this step type's kinds answer for, among the objects
    /// `labelSelector` selects (those bootstrap manages), in a stable order; read only.
    static func routedHosts(_ kube: KubeClient, labelSelector: String) async throws -> [String]
}
