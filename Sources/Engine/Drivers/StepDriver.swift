import Document
import Host
import Kube

/// Where a step acts: on the node itself, or through the Kubernetes API.
public enum StepTarget: Sendable {
    /// Runs before the API server may exist (k3s itself, datasets, files).
    case host
    /// Needs the API server.
    case cluster
}

/// A step type: how the playbook's `type:` becomes actions. Each type registers one driver.
///
/// The executor calls ``check(_:)`` (no side effects: what would change), then ``apply(_:_:)``,
/// then ``verify(_:_:)`` before the step is recorded in the ledger.
public protocol StepDriver: Sendable {
    associatedtype Parameters: Decodable & Sendable

    /// The registered name, e.g. `zfs.dataset`.
    static var type: String { get }
    /// Bumped when the driver's effect for the same parameters changes, so recorded steps re-run.
    static var version: Int { get }
    static var target: StepTarget { get }
    /// One line for `--help` and README.
    static var summary: String { get }
    /// Whether running this step brings up the Kubernetes API; before it has run, the API is not
    /// expected to answer.
    static var providesCluster: Bool { get }
    /// Whether running this step may change the node itself (files, datasets, copies, k3s): such a
    /// run takes the node's lock. Host steps do; a cluster step that also works on the host says so.
    static var changesHost: Bool { get }
    /// What a rehearsal does instead of the commands this step type runs and cannot run there.
    static var simulations: [CommandSimulation] { get }
    /// For a step that provides the cluster: whether a rehearsal host shows it installed.
    static func clusterIsUp(on host: RehearsalHost) -> Bool
    /// Host paths this step copies data from; a rehearsal seeds the missing ones empty.
    var migrationSources: [String] { get }
    /// The names `--recopy` knows this step's data copies by (a volume's name, a step's id).
    var copyNames: [String] { get }
    /// For a step that provides the cluster: the commands that stop everything it runs on the node
    /// (`bootstrap rollback`), in order.
    var stopCommands: [Command] { get }
    /// Ports this step binds on the node itself (k3s' API server, Traefik's entry points, hostPorts).
    var hostPorts: [HostPort] { get }
    /// RabbitMQ brokers this step installs, with what their load definition creates (`bootstrap verify`).
    var rabbitMQBrokers: [RabbitMQBroker] { get }
    /// For a step that provides the cluster: the name its node registers under.
    var clusterNodeName: String? { get }
    /// For a step that provides the cluster: how people reach it (`bootstrap kubeconfig`).
    var clusterAccess: ClusterAccess? { get }
    /// What decides the step's effect besides its parameters (the content of files it read beside
    /// the playbook), so that a changed file re-runs the step; secrets in it stay sensitive.
    var digestInputs: Value? { get }
    /// For a step that provides the cluster: the CustomResourceDefinitions a fresh cluster of this
    /// kind serves (file name and YAML text), so a rehearsal serves exactly those; nil when unknown.
    var clusterCRDs: [(file: String, yaml: String)]? { get }
    /// For a step that provides the cluster: the components it runs on its own (k3s: `traefik`,
    /// `servicelb`, ...) with their version where known, so a rehearsal can stand in for them.
    var clusterComponents: [String: String]? { get }

    /// Checks beyond types (absolute paths, versions, references to other steps).
    static func validate(_ parameters: Parameters, _ context: ValidationContext) -> [Diagnostic]

    init(id: String, parameters: Parameters)

    /// What the step would do, computed from live state without changing anything.
    func check(_ context: StepContext) async throws -> ChangeSet
    /// Makes it so: performs the planned host changes, applies the objects, deletes what is no longer wanted.
    func apply(_ plan: ChangeSet, _ context: StepContext) async throws
    /// What is not as the step left it; empty when the effect is in place.
    func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String]
    /// Checks of the node before the first change, for a step about to run (read only, as in plan):
    /// the compose stack stopped, room in the pool, a pinned installer. Plan shows them; apply
    /// refuses to start while one fails.
    func preflight(_ context: StepContext) async throws -> [PreflightCheck]
    /// For `status`: one line on the live state of what the step runs (a workload's rollout), read
    /// without changing anything; nil when the step has nothing to tell.
    func liveState(_ context: StepContext) async throws -> String?
    /// For `bootstrap rollback`: the data copies this step made, each source compared with what
    /// was recorded when it was copied (read only).
    func copyStates(_ host: any HostSystem) async throws -> [CopyState]
}

extension StepDriver {
    public static var providesCluster: Bool { false }
    public static var changesHost: Bool { target == .host }
    public static var simulations: [CommandSimulation] { [] }
    public static func clusterIsUp(on host: RehearsalHost) -> Bool { true }
    public var migrationSources: [String] { [] }
    public var copyNames: [String] { [] }
    public var hostPorts: [HostPort] { [] }
    public var rabbitMQBrokers: [RabbitMQBroker] { [] }
    public var stopCommands: [Command] { [] }
    public func copyStates(_ host: any HostSystem) async throws -> [CopyState] { [] }
    public func preflight(_ context: StepContext) async throws -> [PreflightCheck] { [] }
    public var clusterNodeName: String? { nil }
    public var clusterAccess: ClusterAccess? { nil }
    public var digestInputs: Value? { nil }
    public var clusterCRDs: [(file: String, yaml: String)]? { nil }
    public var clusterComponents: [String: String]? { nil }

    public static func validate(_ parameters: Parameters, _ context: ValidationContext) -> [Diagnostic] { [] }

    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        for change in plan.host { try await change.perform(on: context.host) }
        try await context.applyObjects(plan.objects)
        try await context.delete(plan.deletions)
    }

    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] {
        try await context.drift(of: plan.objects)
    }

    public func liveState(_ context: StepContext) async throws -> String? { nil }
}


/// How a person reaches a cluster a step provides: its public name, where the node keeps its admin
/// kubeconfig (the cluster CA), and the OIDC login the API server accepts.
public struct ClusterAccess: Sendable, Equatable {
    public struct OIDC: Sendable, Equatable {
        public var issuerURL: String
        public var clientID: String
        public init(issuerURL: String, clientID: String) {
            self.issuerURL = issuerURL
            self.clientID = clientID
        }
    }

    /// The API server's name in its certificate and DNS (nil: none declared).
    public var publicName: String?
    /// Host path of the kubeconfig the cluster writes for its administrator.
    public var adminKubeconfig: String
    /// nil: the API server accepts no OIDC login.
    public var oidc: OIDC?

    public init(publicName: String?, adminKubeconfig: String, oidc: OIDC?) {
        self.publicName = publicName
        self.adminKubeconfig = adminKubeconfig
        self.oidc = oidc
    }
}
