/// How the registry finds a driver's roles: a requirement of ``StepDriver`` per role, answered nil
/// by StepDriver's extension and by the role's own extension for a driver that conforms to it.
/// Swift picks the more specific of the two when it compiles the driver's conformance, so no driver
/// writes them and none can get them wrong.
///
/// Not `driver as? any Role`: a cast the runtime has not seen scans every protocol conformance
/// record of the binary (4,600 of them, FoundationEssentials' and the standard library's
/// included), once per driver type and role: a hundred scans, a tenth of `validate` (docs/performance.md).
extension StepDriver {
    public static var clusterProviderRole: (any ClusterProvider.Type)? { nil }
    public static var routesHostNamesRole: (any RoutesHostNames.Type)? { nil }
    public static var rehearsableRole: (any Rehearsable.Type)? { nil }
    public var clusterProviderRole: (any ClusterProvider)? { nil }
    public var bindsHostPortsRole: (any BindsHostPorts)? { nil }
    public var installsBrokersRole: (any InstallsBrokers)? { nil }
    public var readsFilesRole: (any ReadsFiles)? { nil }
    public var reportsLiveStateRole: (any ReportsLiveState)? { nil }
    public var preflightedRole: (any Preflighted)? { nil }
    public var migratesDataRole: (any MigratesData)? { nil }
}

extension ClusterProvider {
    public static var clusterProviderRole: (any ClusterProvider.Type)? { self }
    public var clusterProviderRole: (any ClusterProvider)? { self }
}

extension RoutesHostNames {
    public static var routesHostNamesRole: (any RoutesHostNames.Type)? { self }
}

extension Rehearsable {
    public static var rehearsableRole: (any Rehearsable.Type)? { self }
}

extension BindsHostPorts {
    public var bindsHostPortsRole: (any BindsHostPorts)? { self }
}

extension InstallsBrokers {
    public var installsBrokersRole: (any InstallsBrokers)? { self }
}

extension ReadsFiles {
    public var readsFilesRole: (any ReadsFiles)? { self }
}

extension ReportsLiveState {
    public var reportsLiveStateRole: (any ReportsLiveState)? { self }
}

extension Preflighted {
    public var preflightedRole: (any Preflighted)? { self }
}

extension MigratesData {
    public var migratesDataRole: (any MigratesData)? { self }
}
