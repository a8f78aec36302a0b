import Host

/// A step type that brings up the Kubernetes API on the node: before it has run, the API is not
/// expected to answer, and everything about the cluster itself (its node, how people reach it,
/// what it serves and runs on its own, how to stop it) is its to say.
public protocol ClusterProvider: StepDriver {
    /// Whether a rehearsal host shows the cluster installed.
    static func clusterIsUp(on host: RehearsalHost) -> Bool
    /// What a cluster of this kind serves when no step of the playbook pins its release (a
    /// rehearsal of a playbook without a provider step).
    static var defaultCRDs: [CRDFile] { get }

    /// The name the cluster's node registers under.
    var clusterNodeName: String { get }
    /// How people reach the cluster (`bootstrap kubeconfig`).
    var clusterAccess: ClusterAccess { get }
    /// The CustomResourceDefinitions a fresh cluster of this kind and release serves, so a
    /// rehearsal serves exactly those (permissive stand-ins where the release is not known).
    var clusterCRDs: [CRDFile] { get }
    /// What the cluster runs on its own, so a rehearsal can stand in for it.
    var clusterComponents: ClusterComponents { get }
    /// The commands that stop everything the cluster runs on the node (`bootstrap rollback`), in order.
    var stopCommands: [Command] { get }
}

/// One CustomResourceDefinition file: its name and YAML text.
public struct CRDFile: Sendable, Equatable {
    public var name: String
    public var yaml: String
    public init(name: String, yaml: String) {
        self.name = name
        self.yaml = yaml
    }
}

/// What a cluster runs on its own that decides how the node's ports are reached: the ingress
/// controller it installs from a chart, and the load balancer that gives LoadBalancer Services the
/// node's address. A rehearsal simulates exactly these.
public struct ClusterComponents: Sendable, Equatable {
    /// The ingress controller the cluster installs itself, by its chart's version ("" when the
    /// release is not known); nil when it runs none.
    public var ingressChart: String?
    /// Whether LoadBalancer Services get the node's address.
    public var serviceLoadBalancer: Bool

    public init(ingressChart: String?, serviceLoadBalancer: Bool) {
        self.ingressChart = ingressChart
        self.serviceLoadBalancer = serviceLoadBalancer
    }
}

/// A cluster-providing step's answers, with its driver's type erased (``AnyDriver/cluster``).
public struct ProvidedCluster: Sendable {
    public let nodeName: String
    public let access: ClusterAccess
    private let crdsBody: @Sendable () -> [CRDFile]
    public let components: ClusterComponents
    public let stopCommands: [Command]

    init<D: ClusterProvider>(_ driver: D) {
        nodeName = driver.clusterNodeName
        access = driver.clusterAccess
        crdsBody = { driver.clusterCRDs }
        components = driver.clusterComponents
        stopCommands = driver.stopCommands
    }

    /// Built when asked: only a rehearsal serves them.
    public var crds: [CRDFile] { crdsBody() }
}
