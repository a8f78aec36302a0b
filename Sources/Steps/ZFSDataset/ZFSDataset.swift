import Document
import Engine
import FoundationEssentials
import Host

/// `zfs.dataset`: a ZFS dataset (or, on nodes without ZFS, a plain directory) at a fixed mountpoint,
/// with the owner and mode the workload needs.
public struct ZFSDataset: StepDriver {
    public struct Parameters: Decodable, Sendable {
        /// e.g. `tank/faf/mariadb`; required for the zfs backend.
        public var name: String?
        public var mountpoint: String
        public var compression: String?
        public var recordsize: String?
        /// `uid:gid`, `user:group` or `user`, resolved on the host.
        public var owner: String?
        public var mode: String?
        /// `zfs` (default) or `directory`.
        public var backend: String?

        package init(name: String? = nil, mountpoint: String, compression: String? = nil, recordsize: String? = nil,
                    owner: String? = nil, mode: String? = nil, backend: String? = nil) {
            self.name = name
            self.mountpoint = mountpoint
            self.compression = compression
            self.recordsize = recordsize
            self.owner = owner
            self.mode = mode
            self.backend = backend
        }
    }

    public static let type = "zfs.dataset"
    public static let version = 1
    public static let target = StepTarget.host
    public static let summary = "Create a ZFS dataset (or a directory) at a mountpoint with an owner and mode"

    static let compressions: Set<String> = ["on", "off", "lz4", "zstd", "zstd-fast", "gzip", "zle", "lzjb"]

    public let id: String
    public let parameters: Parameters
    public init(id: String, parameters: Parameters) {
        self.id = id
        self.parameters = parameters
    }

    var usesZFS: Bool { (parameters.backend ?? "zfs") == "zfs" }

    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var diagnostics = ParameterRules.checkHostPath(p.mountpoint, context, at: "mountpoint")
        if p.mountpoint == "/" { diagnostics.append(context.error("mountpoint must not be the host root", at: "mountpoint")) }
        let backend = p.backend ?? "zfs"
        guard backend == "zfs" || backend == "directory" else {
            return diagnostics + [context.error("backend must be zfs or directory, not \"\(backend)\"", at: "backend")]
        }
        if backend == "zfs" {
            if let name = p.name {
                if !isDatasetName(name) {
                    diagnostics.append(context.error("name \"\(name)\" is not a dataset name such as tank/faf/mariadb", at: "name"))
                }
            } else {
                diagnostics.append(context.error("name is required for the zfs backend", at: "name"))
            }
        }
        if let compression = p.compression, !compressions.contains(compression),
           !isLeveledCompression(compression) {
            diagnostics.append(context.error("compression \"\(compression)\" is not a ZFS compression such as lz4 or zstd", at: "compression"))
        }
        if let size = p.recordsize, !isRecordSize(size) {
            diagnostics.append(context.error("recordsize \"\(size)\" is not a power of two from 512 to 16M, such as 16K or 1M", at: "recordsize"))
        }
        if let mode = p.mode, parseMode(mode) == nil {
            diagnostics.append(context.error("mode \"\(mode)\" is not an octal mode such as 0750", at: "mode"))
        }
        if let owner = p.owner, !ParameterRules.isOwnerSpec(owner) {
            diagnostics.append(context.error("owner \"\(owner)\" is not uid:gid or user:group", at: "owner"))
        }
        if (p.compression != nil || p.recordsize != nil) && backend == "directory" {
            diagnostics.append(context.warning("compression and recordsize only apply to the zfs backend", at: "backend"))
        }
        return diagnostics
    }
}

extension ZFSDataset {
    /// `pool/child[/…]`: a pool name starting alphanumeric, then components of [A-Za-z0-9_.:-].
    static func isDatasetName(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        let component = Scan.with(Scan.alnum, "_.:-")
        return parts.count >= 2 && Scan.word(parts[0], first: Scan.alnum, rest: component)
            && parts.dropFirst().allSatisfy { Scan.word($0, first: component, rest: component) && $0 != "." && $0 != ".." }
    }

    /// What `zfs set recordsize=` takes: a power of two from 512 bytes to 16 MiB, in bytes, K or M.
    static func isRecordSize(_ text: String) -> Bool {
        guard let last = text.last else { return false }
        let unit: Int = "Kk".contains(last) ? 1024 : "Mm".contains(last) ? 1_048_576 : 1
        let digits = unit == 1 ? Substring(text) : text.dropLast()
        guard Scan.digits(digits), digits.count <= 9, let number = Int(digits) else { return false }
        let bytes = number * unit
        return (512...16_777_216).contains(bytes) && bytes & (bytes - 1) == 0
    }

    /// `gzip-1`…`gzip-9`, `zstd-1`…`zstd-19`, `zstd-fast-N`.
    static func isLeveledCompression(_ text: String) -> Bool {
        if text.hasPrefix("zstd-fast-") { return Scan.digits(text.dropFirst(10)) }
        if text.hasPrefix("gzip-"), let level = Int(text.dropFirst(5)), Scan.digits(text.dropFirst(5)) { return (1...9).contains(level) }
        if text.hasPrefix("zstd-"), let level = Int(text.dropFirst(5)), Scan.digits(text.dropFirst(5)) { return (1...19).contains(level) }
        return false
    }
}
