import Document
import Host
import Playbook

/// A registered step type, with its driver's type erased so the engine can hold all of them.
public struct StepType: Sendable {
    public let name: String
    public let version: Int
    public let target: StepTarget
    public let summary: String
    /// Whether running this step brings up the Kubernetes API (the cluster steps wait for it).
    public let providesCluster: Bool
    /// Whether running this step may change the node itself (it then takes the node's lock).
    public let changesHost: Bool
    /// For a step type that provides the cluster: whether a rehearsal host shows it installed.
    public let clusterIsUp: @Sendable (RehearsalHost) -> Bool
    /// Decodes a step's parameters as its driver reads them (first, for every step, so that checks
    /// across steps find their siblings decoded), then validates them into a driver.
    let decode: @Sendable (_ id: String, _ parameters: ResolvedParameters, _ fallback: Mark?) -> DecodedParameters
    /// `placeholders`: where a value stands in for a reference that did not resolve; errors there are echoes.
    let prepare: @Sendable (_ id: String, _ decoded: DecodedParameters, _ context: ValidationContext,
                            _ placeholders: Set<Mark>) -> (AnyDriver?, [Diagnostic])

    init<D: StepDriver>(_ driver: D.Type) {
        name = D.type
        version = D.version
        target = D.target
        summary = D.summary
        providesCluster = D.providesCluster
        changesHost = D.changesHost
        clusterIsUp = { D.clusterIsUp(on: $0) }
        decode = { id, parameters, fallback in
            let (decoded, problems) = ParameterDecoder.decode(D.Parameters.self, from: parameters, stepID: id, fallback: fallback, partial: true)
            return DecodedParameters(type: ObjectIdentifier(D.Parameters.self), value: decoded, problems: problems)
        }
        prepare = { id, parameters, context, placeholders in
            let problems = parameters.problems.filter { $0.mark.map { !placeholders.contains($0) } ?? true }
            guard let decoded = parameters.value as? D.Parameters else { return (nil, problems) }
            // Validated even when decoding found errors (one round of errors); an error where
            // decoding already reported one only echoes it (a placeholder value), and is left out.
            let echoes = Set(problems.filter { $0.severity == .error }.compactMap(\.mark)).union(placeholders)
            let more = D.validate(decoded, context).filter { $0.mark.map { !echoes.contains($0) } ?? true }
            if (problems + more).contains(where: { $0.severity == .error }) { return (nil, problems + more) }
            return (AnyDriver(D(id: id, parameters: decoded)), problems + more)
        }
    }
}

/// A step's parameters decoded for its driver's parameters type (nil when they do not decode), with
/// what decoding found wrong.
struct DecodedParameters: Sendable {
    let type: ObjectIdentifier
    /// Decoded around errors when there are some (placeholders where they are).
    let value: (any Sendable)?
    let problems: [Diagnostic]
    /// Decoded without an error: what other steps' checks may read.
    var complete: Bool { !problems.contains { $0.severity == .error } }
}

/// A driver instance behind a uniform interface.
public struct AnyDriver: Sendable {
    private let checkBody: @Sendable (StepContext) async throws -> ChangeSet
    private let applyBody: @Sendable (ChangeSet, StepContext) async throws -> Void
    private let verifyBody: @Sendable (ChangeSet, StepContext) async throws -> [String]
    private let liveStateBody: @Sendable (StepContext) async throws -> String?
    private let preflightBody: @Sendable (StepContext) async throws -> [PreflightCheck]
    /// Ports the step binds on the node itself.
    public let hostPorts: [HostPort]
    /// RabbitMQ brokers the step installs, with their load definition's vhosts and users.
    public let rabbitMQBrokers: [RabbitMQBroker]
    /// What stops what the step runs on the node (`bootstrap rollback`).
    public let stopCommands: [Command]
    private let copyStatesBody: @Sendable (any HostSystem) async throws -> [CopyState]
    /// Host paths the step copies data from.
    public let migrationSources: [String]
    /// The names `--recopy` knows the step's data copies by.
    public let copyNames: [String]
    /// The node name the cluster registers under, for a step that provides it.
    public let clusterNodeName: String?
    /// How people reach the cluster, for a step that provides it.
    public let clusterAccess: ClusterAccess?
    /// What the digest covers besides the parameters (see ``StepDriver/digestInputs``).
    public let digestInputs: Value?
    public let clusterCRDs: [(file: String, yaml: String)]?
    public let clusterComponents: [String: String]?

    public init<D: StepDriver>(_ driver: D) {
        clusterAccess = driver.clusterAccess
        digestInputs = driver.digestInputs
        checkBody = { try await driver.check($0) }
        applyBody = { try await driver.apply($0, $1) }
        verifyBody = { try await driver.verify($0, $1) }
        liveStateBody = { try await driver.liveState($0) }
        migrationSources = driver.migrationSources
        copyNames = driver.copyNames
        hostPorts = driver.hostPorts
        rabbitMQBrokers = driver.rabbitMQBrokers
        stopCommands = driver.stopCommands
        copyStatesBody = { try await driver.copyStates($0) }
        preflightBody = { try await driver.preflight($0) }
        clusterNodeName = driver.clusterNodeName
        clusterCRDs = driver.clusterCRDs
        clusterComponents = driver.clusterComponents
    }

    public func check(_ context: StepContext) async throws -> ChangeSet { try await checkBody(context) }
    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws { try await applyBody(plan, context) }
    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] { try await verifyBody(plan, context) }
    public func liveState(_ context: StepContext) async throws -> String? { try await liveStateBody(context) }
    public func preflight(_ context: StepContext) async throws -> [PreflightCheck] { try await preflightBody(context) }
    public func copyStates(_ host: any HostSystem) async throws -> [CopyState] { try await copyStatesBody(host) }
}

/// The step types a run knows, by name.
public struct StepRegistry: Sendable {
    public private(set) var types: [String: StepType] = [:]

    public init(_ drivers: [any StepDriver.Type]) {
        for driver in drivers { register(driver) }
    }

    public mutating func register<D: StepDriver>(_ driver: D.Type) {
        types[D.type] = StepType(driver)
    }

    public subscript(name: String) -> StepType? { types[name] }
    public var names: [String] { types.keys.sorted() }
}
