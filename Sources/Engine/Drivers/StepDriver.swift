import Document
import Host

/// Where a step acts: on the node itself, or through the Kubernetes API.
public enum StepTarget: Sendable {
    /// Runs before the API server may exist (the cluster itself, datasets, files).
    case host
    /// Needs the API server.
    case cluster
}

/// A step type: how the playbook's `type:` becomes actions. Each type registers one driver.
///
/// This is what every driver implements. What only some step types do (bring up the cluster, copy
/// data, bind node ports, check the node first, ...) are role protocols a driver opts into
/// (`Drivers/Roles`); the registry finds them through the role requirements below, which no
/// driver writes (Roles/RoleWitnesses.swift).
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
    /// Whether running this step may change the node itself (files, datasets, copies, the cluster):
    /// such a run takes the node's lock. Host steps do; a cluster step that also works on the host says so.
    static var changesHost: Bool { get }

    /// Checks beyond types (absolute paths, versions, references to other steps).
    static func validate(_ parameters: Parameters, _ context: ValidationContext) -> [Diagnostic]

    init(id: String, parameters: Parameters)

    /// What the step would do, computed from live state without changing anything.
    func check(_ context: StepContext) async throws -> ChangeSet
    /// Makes it so: performs exactly the planned change set (``ChangeSet``), nothing besides it.
    func apply(_ plan: ChangeSet, _ context: StepContext) async throws
    /// What is not as the step left it; empty when the effect is in place.
    func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String]

    // The roles this driver takes: the role protocol's own extension answers each one for a driver
    // that conforms to it, and StepDriver's answers nil for every other (Roles/RoleWitnesses.swift).
    static var clusterProviderRole: (any ClusterProvider.Type)? { get }
    static var routesHostNamesRole: (any RoutesHostNames.Type)? { get }
    static var rehearsableRole: (any Rehearsable.Type)? { get }
    var clusterProviderRole: (any ClusterProvider)? { get }
    var bindsHostPortsRole: (any BindsHostPorts)? { get }
    var installsBrokersRole: (any InstallsBrokers)? { get }
    var readsFilesRole: (any ReadsFiles)? { get }
    var reportsLiveStateRole: (any ReportsLiveState)? { get }
    var preflightedRole: (any Preflighted)? { get }
    var migratesDataRole: (any MigratesData)? { get }
}

extension StepDriver {
    public static var changesHost: Bool { target == .host }

    public static func validate(_ parameters: Parameters, _ context: ValidationContext) -> [Diagnostic] { [] }

    /// Host changes in order, then objects replaced or patched first, the objects, and deletions.
    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        for change in plan.host { try await change.perform(on: context.host) }
        try await context.prepare(plan.preparations)
        try await context.applyObjects(plan.objects)
        try await context.delete(plan.deletions)
    }

    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] {
        try await context.drift(of: plan.objects)
    }
}
