import Document
import Engine

/// `storage.local-volumes`: manually managed local PersistentVolumes at predictable host paths,
/// each on its own ZFS dataset (or directory), pinned to the storage node, each pre-bound to its claim.
///
/// FAF manages the volumes with ZFS, so every volume lives at `<dataRoot>/<folder>`, never at a
/// provisioner's generated path; an optional migration fills it from the docker-compose data once.
public struct LocalVolumes: StepDriver {
    public enum Backend: String, ParameterEnum {
        case zfs, directory
    }

    /// One volume: its dataset, PersistentVolume and claim.
    public struct Volume: Decodable, Sendable {
        /// The PersistentVolume's name, and the default folder and claim name.
        public var name: String
        /// The claim's namespace.
        public var namespace: String
        public var size: String
        /// Under `dataRoot`; defaults to `name`.
        public var folder: String?
        /// Defaults to `<name>-pvc`.
        public var claim: String?
        public var accessMode: String?
        public var owner: String?
        public var mode: String?
        /// A docker-compose data directory (or one file, such as Traefik's acme.json) copied in once.
        public var migrateFrom: String?
        /// `user:group` every copied entry gets; nil keeps the source's owners.
        public var migrateOwner: String?
        /// The mode every copied regular file gets (`0600` for acme.json); nil keeps the source's.
        public var migrateFileMode: String?
        public var compression: String?
        public var recordsize: String?

        package init(name: String, namespace: String, size: String, folder: String? = nil, claim: String? = nil,
                    accessMode: String? = nil, owner: String? = nil, mode: String? = nil, migrateFrom: String? = nil,
                    compression: String? = nil, recordsize: String? = nil, migrateOwner: String? = nil, migrateFileMode: String? = nil) {
            self.migrateOwner = migrateOwner
            self.migrateFileMode = migrateFileMode
            self.name = name
            self.namespace = namespace
            self.size = size
            self.folder = folder
            self.claim = claim
            self.accessMode = accessMode
            self.owner = owner
            self.mode = mode
            self.migrateFrom = migrateFrom
            self.compression = compression
            self.recordsize = recordsize
        }

        public var folderName: String { folder ?? name }
        public var claimName: String { claim ?? "\(name)-pvc" }
        public var accessModeName: String { accessMode ?? "ReadWriteOnce" }
    }

    public struct Parameters: Decodable, Sendable {
        /// Defaults to `local-zfs`.
        public var storageClass: String?
        /// The host directory every volume lives under, e.g. `/tank/faf`.
        public var dataRoot: String
        /// The parent ZFS dataset, e.g. `tank/faf`; required for the zfs backend.
        public var dataset: String?
        public var backend: Backend?
        /// Node labels the volumes are pinned to, e.g. `storage-id: main-01`.
        public var nodeSelector: [String: String]
        public var volumes: [Volume]

        package init(storageClass: String? = nil, dataRoot: String, dataset: String? = nil, backend: Backend? = nil,
                    nodeSelector: [String: String], volumes: [Volume]) {
            self.storageClass = storageClass
            self.dataRoot = dataRoot
            self.dataset = dataset
            self.backend = backend
            self.nodeSelector = nodeSelector
            self.volumes = volumes
        }

        public var storageClassName: String { storageClass ?? "local-zfs" }
        public var backendChoice: Backend { backend ?? .zfs }
    }

    public static let type = "storage.local-volumes"
    public static let version = 1
    public static let target = StepTarget.cluster
    /// Its volumes' datasets and data copies are made on the node before the objects exist.
    public static let changesHost = true
    public static let summary = "Local PersistentVolumes on ZFS datasets at fixed paths, pinned to the storage node and bound to their claims"

    static let accessModes = ["ReadWriteOnce", "ReadWriteOncePod", "ReadOnlyMany", "ReadWriteMany"]

    public let id: String
    public let parameters: Parameters
    public init(id: String, parameters: Parameters) {
        self.id = id
        self.parameters = parameters
    }

    /// Where a volume lives on the host.
    func mountpoint(_ volume: Volume) -> String { join(parameters.dataRoot, volume.folderName) }

    /// The dataset step this volume's storage is, reusing `zfs.dataset`'s driver.
    func dataset(_ volume: Volume) -> ZFSDataset {
        let backend = parameters.backendChoice
        return ZFSDataset(id: id, parameters: .init(
            name: backend == .zfs ? parameters.dataset.map { "\($0)/\(volume.folderName)" } : nil,
            mountpoint: mountpoint(volume), compression: volume.compression, recordsize: volume.recordsize,
            owner: volume.owner, mode: volume.mode, backend: backend.rawValue))
    }

    /// The migration into this volume, reusing `data.migrate`'s driver; nil without `migrateFrom`.
    /// On ZFS it snapshots the volume's dataset once the copy is verified; `--recopy` knows it by the volume's name.
    func migration(_ volume: Volume) -> DataMigrate? {
        volume.migrateFrom.map {
            var migrate = DataMigrate(id: id, parameters: .init(from: $0, to: mountpoint(volume), dataset: dataset(volume).parameters.name,
                                                                 owner: volume.migrateOwner, fileMode: volume.migrateFileMode),
                                      copyName: volume.name)
            migrate.targetName = "volume \(volume.name)'s `folder` (or `dataRoot`)"
            return migrate
        }
    }
}

extension LocalVolumes: MigratesData, Preflighted {
    public var migrationSources: [String] { parameters.volumes.compactMap(\.migrateFrom) }
    public var copyNames: [String] { parameters.volumes.filter { $0.migrateFrom != nil }.map(\.name) }
}

extension LocalVolumes {
    /// Each copy still to do: its source at rest; then per pool, room for the sum of them all.
    public func preflight(_ context: StepContext) async throws -> [PreflightCheck] {
        var sources: [String] = []
        var bytesPerPool: [String: Int64] = [:]
        var datasetOfPool: [String: String] = [:]
        var inUse: [PreflightCheck] = []
        for volume in parameters.volumes {
            guard let migration = migration(volume), let pending = try await migration.pendingBytes(context) else { continue }
            if let check = try await migration.inUseCheck(context) { inUse.append(check) }
            sources.append(migration.parameters.from)
            if let dataset = migration.parameters.dataset {
                let pool = String(dataset.split(separator: "/").first!)
                bytesPerPool[pool, default: 0] += pending
                datasetOfPool[pool] = dataset
            }
        }
        guard !sources.isEmpty else { return [] }
        var checks = try await DataMigrate.sourceChecks(step: context.stepID, sources: sources, context.host)
        for pool in bytesPerPool.keys.sorted() {
            checks.append(try await DataMigrate.roomCheck(step: context.stepID, dataset: datasetOfPool[pool]!, bytes: bytesPerPool[pool]!, context.host))
        }
        return checks + inUse
    }
}
