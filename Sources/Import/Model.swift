import Document

/// What the user asked for: the command line of `bootstrap import compose`.
public struct ImportOptions: Sendable {
    public var composeFiles: [String]
    public var envFile: String?
    public var namespaces: [String: String] = [:]
    public var defaultNamespace = "apps"
    public var dataRoot = "/srv/bootstrap"
    /// Where the compose `./data` lives on the node (default: beside the first compose file).
    public var composeData: String?
    public var traefikDynamic: String?
    /// The parent ZFS dataset of the volumes (`--zfs`): datasets instead of plain directories.
    public var zfsDataset: String?
    /// Images named on the command line (`--image SERVICE=IMAGE`), in place of compose's: how an
    /// unpinned image gets pinned without editing the compose files.
    public var images: [String: String] = [:]
    /// The folder, relative to the playbook, that the files it names are written under ("" beside
    /// it; "faf/" for a playbook faf.yaml with its files in faf/).
    public var filesFolder = ""
    public var name = "compose"
    public var rules = SecretRules()

    public init(composeFiles: [String]) { self.composeFiles = composeFiles }
}

/// One line of the report: something of the compose files that was not converted, or that a
/// person should review, with the service and the reason.
public struct ReportEntry: Sendable, Hashable {
    public var service: String
    public var key: String
    public var reason: String
    public var mark: Mark?

    /// `file:line:col: warning: service: key: reason`, as diagnostics read.
    public var diagnostic: Diagnostic { .warning("\(service): \(key): \(reason)", at: mark) }
}

/// What an import writes: the playbook, the files it names (relative to it), the secrets
/// skeleton, and the report.
public struct ImportResult: Sendable {
    public var playbook: String
    public var files: [String: String]
    public var secretsExample: String
    /// `secrets.yaml` with the values the compose env files hold and `change-me` for the rest
    /// (`--secrets-from-env`); with it, how many were filled.
    public var secretsFromEnv: (text: String, filled: Int, total: Int)
    public var report: [ReportEntry]
    /// Per converted service: routes, data mounts and env files, for the summary and the tests.
    public var counts: [String: ServiceCounts]
}

public struct ServiceCounts: Sendable, Equatable {
    public var routes = 0
    public var tcpRoutes = 0
    /// Published ports the workload binds on the node itself (hostPort).
    public var hostPorts = 0
    public var udpRoutes = 0
    public var dataMounts = 0
    public var envFiles = 0
    public var files = 0
    public var secretEnv = 0
    public init() {}
}

extension Value {
    /// A mapping written as a literal where the context is not a `Value` already.
    static func obj(_ value: Value) -> Value { value }
}
