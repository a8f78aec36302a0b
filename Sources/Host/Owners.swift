import FoundationEssentials
import Platform

extension HostSystem {
    /// Resolves `uid:gid`, `user:group` or `user` (with its primary group) using the host's own
    /// /etc/passwd and /etc/group, so names mean what they mean on the node, not on this machine.
    public func resolveOwner(_ spec: String) throws -> FileOwner {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, let user = parts.first, !user.isEmpty else {
            throw HostError.io("owner \"\(spec)\" is not user:group")
        }
        var primaryGroup: UInt32?
        let uid: UInt32
        if let number = UInt32(user) {
            uid = number
        } else {
            guard let entry = try database("/etc/passwd").first(where: { $0.first == user }), entry.count > 3,
                  let number = UInt32(entry[2]) else { throw HostError.io("user \"\(user)\" is not in the host's /etc/passwd") }
            uid = number
            primaryGroup = UInt32(entry[3])
        }
        guard parts.count == 2 else {
            guard let primaryGroup else { throw HostError.io("owner \"\(spec)\" needs a group: write uid:gid") }
            return FileOwner(uid: uid, gid: primaryGroup)
        }
        let group = parts[1]
        if let number = UInt32(group) { return FileOwner(uid: uid, gid: number) }
        guard let entry = try database("/etc/group").first(where: { $0.first == group }), entry.count > 2,
              let gid = UInt32(entry[2]) else { throw HostError.io("group \"\(group)\" is not in the host's /etc/group") }
        return FileOwner(uid: uid, gid: gid)
    }

    private func database(_ file: String) throws -> [[String]] {
        guard let data = try read(file) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
            .map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
    }
}

/// How much a directory tree holds: entries of every kind, and bytes of regular files (each inode once).
public struct TreeSummary: Sendable, Equatable, CustomStringConvertible {
    public var entries: Int
    public var bytes: Int64
    public init(entries: Int = 0, bytes: Int64 = 0) {
        self.entries = entries
        self.bytes = bytes
    }
    public var description: String { "\(entries) entries, \(bytes) bytes" }
}

extension HostSystem {
    /// Counts a tree without following symlinks; `excluding` names top-level entries to skip.
    ///
    /// The walk is synchronous file-system work proportional to the tree, so it runs on a thread of
    /// its own rather than holding one of the cooperative pool's few threads.
    public func summarize(_ path: String, excluding: Set<String> = []) async throws -> TreeSummary {
        try await Blocking.run(name: "tree-summary") { [self] in try summarizeBlocking(path, excluding: excluding) }
    }

    private func summarizeBlocking(_ path: String, excluding: Set<String>) throws -> TreeSummary {
        var summary = TreeSummary()
        var seen = Set<FileIdentity>()
        func walk(_ directory: String, top: Bool) throws {
            for name in try list(directory) where !(top && excluding.contains(name)) {
                let child = directory == "/" ? "/\(name)" : "\(directory)/\(name)"
                guard let status = try status(child) else { continue }
                summary.entries += 1
                switch status.kind {
                case .directory: try walk(child, top: false)
                case .file: if seen.insert(status.identity).inserted { summary.bytes += status.size }
                default: break
                }
            }
        }
        try walk(path, top: true)
        return summary
    }
}
