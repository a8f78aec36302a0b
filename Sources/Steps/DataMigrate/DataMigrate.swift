import Document
import Engine
import FoundationEssentials
import Host

/// `data.migrate`: copies a docker-compose data directory (or one file) into its new place once,
/// exactly (owners, modes, symlinks, hard links), never touching the source.
///
/// The copy goes to a staging directory inside the target with rsync, which a re-run after any
/// interruption resumes (files rsync completed stay), and is moved into place entry by entry after
/// it has been counted; a marker file records the finished migration so it never runs twice, and a
/// ZFS snapshot `DATASET@bootstrap-migrated` marks the moment of the move.
public struct DataMigrate: StepDriver {
    public struct Parameters: Decodable, Sendable {
        public var from: String
        public var to: String
        /// The ZFS dataset mounted at `to`: snapshotted after the verified copy, and before `--recopy`.
        public var dataset: String?
        /// `user:group` every copied entry gets (rsync `--chown`); nil keeps the source's owners.
        public var owner: String?
        /// The mode every copied regular file gets (rsync `--chmod=F…`); nil keeps the source's.
        public var fileMode: String?

        package init(from: String, to: String, dataset: String? = nil, owner: String? = nil, fileMode: String? = nil) {
            self.from = from
            self.to = to
            self.dataset = dataset
            self.owner = owner
            self.fileMode = fileMode
        }
    }

    public static let type = "data.migrate"
    public static let version = 1
    public static let target = StepTarget.host
    public static let summary = "Copy a data directory into an empty target once (resumable), preserving owners, modes and links"

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
    /// What `--recopy` calls this copy: the step id, or the volume's name inside storage.local-volumes.
    public let copyName: String
    public init(id: String, parameters: Parameters) {
        self.init(id: id, parameters: parameters, copyName: id)
    }
    package init(id: String, parameters: Parameters, copyName: String) {
        self.id = id
        self.parameters = parameters
        self.copyName = copyName
    }

    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var diagnostics = ParameterRules.checkHostPath(p.from, context, at: "from") + ParameterRules.checkHostPath(p.to, context, at: "to")
        guard diagnostics.isEmpty else { return diagnostics }
        // Compared as the kernel resolves them: `//srv/x` and `/srv/./x` are `/srv/x`.
        let from = ParameterRules.normalizedPath(p.from) + "/", to = ParameterRules.normalizedPath(p.to) + "/"
        if from.hasPrefix(to) || to.hasPrefix(from) {
            diagnostics.append(context.error("from and to must not contain each other", at: "to"))
        }
        if let dataset = p.dataset, !ZFSDataset.isDatasetName(dataset) {
            diagnostics.append(context.error("dataset \"\(ParameterRules.printable(dataset))\" is not a ZFS dataset name", at: "dataset"))
        }
        if let owner = p.owner, !ParameterRules.isOwnerSpec(owner) {
            diagnostics.append(context.error("owner \"\(ParameterRules.printable(owner))\" is not user:group", at: "owner"))
        }
        if let mode = p.fileMode, parseMode(mode) == nil {
            diagnostics.append(context.error("fileMode \"\(ParameterRules.printable(mode))\" is not an octal mode such as 0600", at: "fileMode"))
        }
        return diagnostics
    }

    var marker: String { join(parameters.to, Self.markerName) }
    var staging: String { join(parameters.to, Self.stagingName) }
    var copied: String { join(parameters.to, Self.copiedName) }

}

func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

extension DataMigrate: MigratesData, Preflighted, Rehearsable {
    public var migrationSources: [String] { [parameters.from] }
    public var copyNames: [String] { [copyName] }
}
