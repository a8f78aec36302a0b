import Document
import FoundationEssentials

/// One change to the host, as a value: plans render it, the rehearsal log records it, apply performs it.
///
/// Drivers compute these from the host's state in `check`; `apply` performs exactly the planned
/// values instead of inspecting the host again, so what was reviewed is what runs.
public enum HostChange: Sendable {
    /// `mkdir -p`, then mode and owner of the last directory when given.
    case makeDirectory(String, mode: UInt16? = nil, owner: FileOwner? = nil)
    /// An atomic file replacement, with the content before and after (for diffs and roll-backs).
    case writeFile(FileWrite)
    /// chown (without following symlinks), then chmod.
    case setAttributes(String, mode: UInt16?, owner: FileOwner?)
    /// A command found on PATH.
    case run(Command)
    /// Refuse to go on unless the file's SHA-256 is the pinned one.
    case verifyDigest(path: String, sha256: String)
    /// A ZFS dataset with its mountpoint and properties.
    case createDataset(Dataset)
    /// A one-time copy of a data directory into an empty target (owned by the `data.migrate` driver).
    case copyData(DataCopy)
    /// rename(2).
    case move(String, to: String)
    /// Removes a tree that bootstrap itself made (a staging directory, never user data).
    case remove(String)

    /// The shell lines this change stands for: what plans list and the rehearsal log records.
    public var lines: [String] {
        switch self {
        case .makeDirectory(let path, let mode, let owner):
            return ["mkdir -p \(shellQuote(path))"] + Self.attributeLines(path, mode: mode, owner: owner)
        case .writeFile(let write):
            return ["write \(shellQuote(write.path)) (mode \(octal(write.mode))\(write.owner.map { ", owner \($0)" } ?? ""))"]
        case .setAttributes(let path, let mode, let owner):
            return Self.attributeLines(path, mode: mode, owner: owner)
        case .run(let command):
            return [command.description]
        case .verifyDigest(let path, let sha256):
            return ["sha256sum \(shellQuote(path)) (expect \(sha256))"]
        case .createDataset(let dataset):
            return [dataset.command.description]
        case .copyData(let copy):
            return copy.lines
        case .move(let source, let destination):
            return ["mv \(shellQuote(source)) \(shellQuote(destination))"]
        case .remove(let path):
            return ["rm -rf \(shellQuote(path))"]
        }
    }

    static func attributeLines(_ path: String, mode: UInt16?, owner: FileOwner?) -> [String] {
        (owner.map { ["chown -h \($0) \(shellQuote(path))"] } ?? []) + (mode.map { ["chmod \(octal($0)) \(shellQuote(path))"] } ?? [])
    }

    /// Performs a change that needs no driver knowledge; `copyData` is performed by its driver
    /// (a copy resumes, so it looks at its target again), and here is refused.
    public func perform(on host: any HostSystem) async throws {
        switch self {
        case .makeDirectory(let path, let mode, let owner): try host.makeDirectory(path, mode: mode, owner: owner)
        case .writeFile(let write): try host.write(write.path, write.new.bytes, mode: write.mode, owner: write.owner)
        case .setAttributes(let path, let mode, let owner): try host.setAttributes(path, mode: mode, owner: owner)
        case .run(let command): try await host.runChecked(command)
        case .verifyDigest(let path, let sha256):
            if let actual = try await host.sha256Mismatch(path, expected: sha256) {
                throw HostError.digestMismatch(path: path, actual: actual, expected: sha256.lowercased())
            }
        case .createDataset(let dataset): try await host.runChecked(dataset.command)
        case .copyData(let copy): throw HostError.performedByDriver("the copy of \(copy.from) to \(copy.to)")
        case .move(let source, let destination): try host.move(source, to: destination)
        case .remove(let path): try host.removeTree(path)
        }
    }
}

/// A file write with its content before and after.
public struct FileWrite: Sendable {
    public var path: String
    public var mode: UInt16
    public var owner: FileOwner?
    /// What the file holds now; nil when it does not exist.
    public var old: FileContent?
    public var new: FileContent

    public init(path: String, mode: UInt16, owner: FileOwner? = nil, old: FileContent?, new: FileContent) {
        self.path = path
        self.mode = mode
        self.owner = owner
        self.old = old
        self.new = new
    }
}

/// File content; sensitive content is never rendered.
public enum FileContent: Sendable, Equatable {
    case plain(Data)
    case sensitive(Sensitive)

    public var bytes: Data {
        switch self {
        case .plain(let data): return data
        // One of the few places a secret is revealed: it is written to the host file that needs it.
        case .sensitive(let value): return Data(value.revealed.utf8)
        }
    }

    public var isSensitive: Bool { if case .sensitive = self { return true } else { return false } }

    /// Plain content as text, when it is UTF-8; nil for sensitive or binary content.
    public var text: String? {
        guard case .plain(let data) = self else { return nil }
        return String(data: data, encoding: .utf8)
    }
}

/// A ZFS dataset as `zfs create` makes it.
public struct Dataset: Sendable, Equatable {
    public var name: String
    public var mountpoint: String
    /// `-o` properties besides the mountpoint, in the order given.
    public var properties: [(String, String)]

    public init(name: String, mountpoint: String, properties: [(String, String)] = []) {
        self.name = name
        self.mountpoint = mountpoint
        self.properties = properties
    }

    public var command: Command {
        let options = properties.flatMap { ["-o", "\($0.0)=\($0.1)"] }
        return Command(["zfs", "create", "-p", "-o", "mountpoint=\(mountpoint)"] + options + [name], changesHost: true)
    }

    public static func == (a: Dataset, b: Dataset) -> Bool {
        a.name == b.name && a.mountpoint == b.mountpoint && a.properties.elementsEqual(b.properties) { $0 == $1 }
    }
}

/// A data migration as planned: what is copied where and how, and the work left to do; its
/// driver performs it.
public struct DataCopy: Sendable {
    public var from: String
    public var to: String
    /// What `--recopy` knows the copy by (a step's id, a volume's name).
    public var name: String
    /// The ZFS dataset mounted at `to`, snapshotted after the copy.
    public var dataset: String?
    /// `user:group` every copied entry gets; nil keeps the source's owners.
    public var owner: String?
    /// The mode every copied regular file gets; nil keeps the source's.
    public var fileMode: String?
    /// The copy's remaining work as planned, in order. Its driver looks at the target again when
    /// it runs (a copy resumes where an interrupted one stopped), so it may find less to do.
    public var work: [HostChange]
    /// What is left to copy and how long it should take, for sizing the downtime window.
    public var estimate: CopyEstimate?

    public init(from: String, to: String, name: String, dataset: String? = nil, owner: String? = nil, fileMode: String? = nil,
                work: [HostChange]) {
        self.from = from
        self.to = to
        self.name = name
        self.dataset = dataset
        self.owner = owner
        self.fileMode = fileMode
        self.work = work
    }

    /// The shell lines of the remaining work, as plans show them.
    public var lines: [String] { work.flatMap(\.lines) }

    /// Whether the work includes the copy itself (not only moving, marking or snapshotting).
    public var copiesData: Bool { work.contains { if case .run(let command) = $0 { return command.argv.first == "rsync" } else { return false } } }
}

/// The size of a copy still to do, and its duration at a measured read rate.
public struct CopyEstimate: Sendable, Equatable {
    public var bytes: Int64
    public var entries: Int
    /// Bytes per second; nil when there was nothing to measure.
    public var rate: Double?
    /// Where the rate comes from, e.g. `dd read 64 MiB of …/ibdata1 (O_DIRECT)`.
    public var rateSource: String
    public init(bytes: Int64, entries: Int, rate: Double?, rateSource: String) {
        self.bytes = bytes
        self.entries = entries
        self.rate = rate
        self.rateSource = rateSource
    }
    public var seconds: Double? { rate.map { $0 > 0 ? Double(bytes) / $0 : 0 } }
}
