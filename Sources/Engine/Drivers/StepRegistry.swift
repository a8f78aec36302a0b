import Document
import Host
import Kube
import Playbook

/// A registered step type, with its driver's type erased so the engine can hold all of them.
public struct StepType: Sendable {
    public let name: String
    public let version: Int
    public let target: StepTarget
    public let summary: String
    /// Whether running this step may change the node itself (it then takes the node's lock).
    public let changesHost: Bool
    /// For a step type that provides the cluster (``ClusterProvider``): whether a rehearsal host
    /// shows it installed; nil for every other step type.
    public let clusterIsUp: (@Sendable (RehearsalHost) -> Bool)?
    /// For a step type that provides the cluster: what a cluster of its kind serves when no step
    /// pins a release (built when asked: only a rehearsal needs it).
    public let defaultCRDs: (@Sendable () -> [CRDFile])?
    /// Whether running this step brings up the Kubernetes API (the cluster steps wait for it).
    public var providesCluster: Bool { clusterIsUp != nil }
    /// For a step type whose objects route host names (``RoutesHostNames``): those of its live routes.
    let routedHosts: (@Sendable (KubeClient, String) async throws -> [String])?
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
        changesHost = D.changesHost
        if let provider = D.clusterProviderRole {
            clusterIsUp = { (host: RehearsalHost) -> Bool in provider.clusterIsUp(on: host) }
            defaultCRDs = { () -> [CRDFile] in provider.defaultCRDs }
        } else {
            clusterIsUp = nil
            defaultCRDs = nil
        }
        if let router = D.routesHostNamesRole {
            routedHosts = { (kube: KubeClient, selector: String) async throws -> [String] in
                try await router.routedHosts(kube, labelSelector: selector)
            }
        } else {
            routedHosts = nil
        }
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

/// A driver instance behind a uniform interface: the core every driver implements, and each role
/// it opts into (Roles/RoleWitnesses.swift), empty where it has not.
public struct AnyDriver: Sendable {
    private let checkBody: @Sendable (StepContext) async throws -> ChangeSet
    private let applyBody: @Sendable (ChangeSet, StepContext) async throws -> Void
    private let verifyBody: @Sendable (ChangeSet, StepContext) async throws -> [String]
    private let liveStateBody: (@Sendable (StepContext) async throws -> String?)?
    private let preflightBody: (@Sendable (StepContext) async throws -> [PreflightCheck])?
    private let copyStatesBody: (@Sendable (any HostSystem) async throws -> [CopyState])?
    /// The cluster, for a step that provides it (``ClusterProvider``).
    public let cluster: ProvidedCluster?
    /// Ports the step binds on the node itself (``BindsHostPorts``).
    public let hostPorts: [HostPort]
    /// RabbitMQ brokers the step installs, with their load definition's vhosts and users (``InstallsBrokers``).
    public let rabbitMQBrokers: [RabbitMQBroker]
    /// Host paths the step copies data from (``MigratesData``).
    public let migrationSources: [String]
    /// The names `--recopy` knows the step's data copies by (``MigratesData``).
    public let copyNames: [String]
    /// What the digest covers besides the parameters (``ReadsFiles``).
    public let digestInputs: Value?

    public init<D: StepDriver>(_ driver: D) {
        checkBody = { try await driver.check($0) }
        applyBody = { try await driver.apply($0, $1) }
        verifyBody = { try await driver.verify($0, $1) }
        cluster = driver.clusterProviderRole.map { ProvidedCluster($0) }
        hostPorts = driver.bindsHostPortsRole?.hostPorts ?? []
        rabbitMQBrokers = driver.installsBrokersRole?.rabbitMQBrokers ?? []
        digestInputs = driver.readsFilesRole?.digestInputs
        if let reporter = driver.reportsLiveStateRole {
            liveStateBody = { (context: StepContext) async throws -> String? in try await reporter.liveState(context) }
        } else {
            liveStateBody = nil
        }
        if let preflighted = driver.preflightedRole {
            preflightBody = { (context: StepContext) async throws -> [PreflightCheck] in try await preflighted.preflight(context) }
        } else {
            preflightBody = nil
        }
        if let migrating = driver.migratesDataRole {
            migrationSources = migrating.migrationSources
            copyNames = migrating.copyNames
            copyStatesBody = { (host: any HostSystem) async throws -> [CopyState] in try await migrating.copyStates(host) }
        } else {
            migrationSources = []
            copyNames = []
            copyStatesBody = nil
        }
    }

    public func check(_ context: StepContext) async throws -> ChangeSet { try await checkBody(context) }
    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws { try await applyBody(plan, context) }
    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] { try await verifyBody(plan, context) }
    /// ``ReportsLiveState``; nil for a step without that role.
    public func liveState(_ context: StepContext) async throws -> String? { try await liveStateBody?(context) }
    /// ``Preflighted``; none for a step without that role.
    public func preflight(_ context: StepContext) async throws -> [PreflightCheck] { try await preflightBody?(context) ?? [] }
    /// ``MigratesData``; none for a step without that role.
    public func copyStates(_ host: any HostSystem) async throws -> [CopyState] { try await copyStatesBody?(host) ?? [] }
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
    /// The CRDs a rehearsal serves when no step of the playbook provides the cluster: those a
    /// cluster of the (first, by name) registered providing type's kind serves.
    /// The host names every registered routing step type finds in its live routes, each once.
    func routedHosts(_ kube: KubeClient, labelSelector: String) async throws -> [String] {
        var hosts: [String] = []
        for name in names {
            guard let lookup = types[name]!.routedHosts else { continue }
            for host in try await lookup(kube, labelSelector) where !hosts.contains(host) { hosts.append(host) }
        }
        return hosts
    }

    public var defaultCRDs: [CRDFile] { names.lazy.compactMap { self.types[$0]!.defaultCRDs }.first?() ?? [] }
}
