import Document
import Engine
import FoundationEssentials
import Host

/// `data.migrate`: copies a docker-compose data directory into its new place once, exactly
/// (owners, modes, symlinks, hard links), never touching the source.
///
/// The copy goes to a staging directory inside the target and is moved into place entry by entry
/// after it has been counted, so a crash at any point leaves something a re-run can finish, and a
/// marker file records the finished migration so it never runs twice.
public struct DataMigrate: StepDriver {
    public struct Parameters: Decodable, Sendable {
        public var from: String
        public var to: String

        package init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    public static let type = "data.migrate"
    public static let version = 1
    public static let target = StepTarget.host
    public static let summary = "Copy a data directory into an empty target once, preserving owners, modes and links"

    /// Written into the target when the copy is complete.
    public static let markerName = ".bootstrap-migrated"
    /// Where cp writes; removed and redone when a copy was interrupted.
    static let stagingName = ".bootstrap-staging"
    /// The staging directory after it was counted: its entries are moved into place.
    static let copiedName = ".bootstrap-copied"

    public let id: String
    public let parameters: Parameters
    /// How the playbook names the target, for messages: `to`, or the volume of a
    /// `storage.local-volumes` step that reuses this driver (which has no `to`).
    var targetName = "`to`"
    public init(id: String, parameters: Parameters) {
        self.id = id
        self.parameters = parameters
    }

    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var diagnostics = ParameterRules.checkHostPath(p.from, context, at: "from") + ParameterRules.checkHostPath(p.to, context, at: "to")
        guard diagnostics.isEmpty else { return diagnostics }
        // Compared as the kernel resolves them: `//srv/x` and `/srv/./x` are `/srv/x`.
        let from = ParameterRules.normalizedPath(p.from) + "/", to = ParameterRules.normalizedPath(p.to) + "/"
        if from.hasPrefix(to) || to.hasPrefix(from) {
            diagnostics.append(context.error("from and to must not contain each other", at: "to"))
        }
        return diagnostics
    }

    var marker: String { join(parameters.to, Self.markerName) }
    var staging: String { join(parameters.to, Self.stagingName) }
    var copied: String { join(parameters.to, Self.copiedName) }

    var copyCommand: Command {
        Command(["cp", "-a", "--reflink=auto", join(parameters.from, "."), staging], changesHost: true, hostPaths: [3, 4])
    }
}

func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

extension DataMigrate {
    public var migrationSources: [String] { [parameters.from] }
}
