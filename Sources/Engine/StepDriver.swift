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

    /// Checks beyond types (absolute paths, versions, references to other steps).
    static func validate(_ parameters: Parameters, _ context: ValidationContext) -> [Diagnostic]

    init(id: String, parameters: Parameters)

    /// What the step would do, computed from live state without changing anything.
    func check(_ context: StepContext) async throws -> StepPlan
    /// Makes it so. Cluster objects go through ``StepContext/applyObjects(_:)``.
    func apply(_ plan: StepPlan, _ context: StepContext) async throws
    /// What is not as the step left it; empty when the effect is in place.
    func verify(_ plan: StepPlan, _ context: StepContext) async throws -> [String]
}

extension StepDriver {
    public static func validate(_ parameters: Parameters, _ context: ValidationContext) -> [Diagnostic] { [] }

    public func apply(_ plan: StepPlan, _ context: StepContext) async throws {
        try await context.applyObjects(plan.objects)
    }

    public func verify(_ plan: StepPlan, _ context: StepContext) async throws -> [String] {
        try await context.drift(of: plan.objects)
    }
}

/// What a step would do: host actions in the order they would run, and Kubernetes objects.
public struct StepPlan: Sendable {
    /// Host commands and file writes, as a shell would read them; empty when the host is as wanted.
    public var hostActions: [String]
    /// Desired Kubernetes objects, complete; the executor adds the managed-by label and step annotation.
    public var objects: [Value]
    /// Things the reviewer must know (a permission that cannot be narrowed, say).
    public var warnings: [String]
    /// Opaque state the driver passes from check to apply (a computed diff, a previous config).
    public var notes: [String: String]

    public init(hostActions: [String] = [], objects: [Value] = [], warnings: [String] = [], notes: [String: String] = [:]) {
        self.hostActions = hostActions
        self.objects = objects
        self.warnings = warnings
        self.notes = notes
    }
}
