import FoundationEssentials
import Platform

/// File operations on host paths placed under a real directory: the local and rehearsal hosts, and rehearsal simulations.
public struct RootedFiles: Sendable {
    public let root: String
    public init(root: String) { self.root = root }

    /// The real path of a host path under the root, its directories' symlinks resolved as the node
    /// would resolve them: an absolute link target is a host path (under the root again), and
    /// nothing may lead above the root. The last component is left as it is (lstat, rename and
    /// removal act on a link itself). On a real node (root `/`) the kernel resolves paths itself.
    public func real(_ hostPath: String, followingLast: Bool = false) throws -> String {
        guard root != "/" && !root.isEmpty else { return hostPath }
        var pending = hostPath.split(separator: "/").map(String.init)
        guard var last = pending.popLast() else { return mapUnder(root, "/") }
        // Reading a file or changing its mode follows a link in the last component too.
        if followingLast { pending.append(last); last = "" }
        var resolved: [String] = []
        var hops = 0
        while !pending.isEmpty {
            let component = pending.removeFirst()
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                guard !resolved.isEmpty else { throw HostError.escapesRoot(hostPath) }
                resolved.removeLast()
                continue
            }
            let candidate = mapUnder(root, "/" + (resolved + [component]).joined(separator: "/"))
            guard let info = try? FileInfo.of(candidate), info.kind == .symlink else {
                resolved.append(component)
                continue
            }
            hops += 1
            guard hops <= 40, let target = try? Files.readLink(candidate) else { throw HostError.escapesRoot(hostPath) }
            let parts = target.split(separator: "/").map(String.init)
            if target.hasPrefix("/") { resolved = [] }
            pending = parts + pending
        }
        if last == ".." { throw HostError.escapesRoot(hostPath) }
        return mapUnder(root, "/" + (resolved + (last.isEmpty ? [] : [last])).joined(separator: "/"))
    }

    public func read(_ path: String) throws -> Data? {
        let real = try real(path, followingLast: true)
        guard (try status(path)) != nil else { return nil }
        do { return Data(try Files.read(real)) } catch { throw hostError("cannot read", path, error) }
    }

    public func status(_ path: String) throws -> FileStatus? {
        let found: FileInfo?
        let real = try real(path)
        do { found = try FileInfo.of(real) } catch { throw hostError("cannot stat", path, error) }
        guard let info = found else { return nil }
        let kind: FileStatus.Kind
        switch info.kind {
        case .file: kind = .file
        case .directory: kind = .directory
        case .symlink: kind = .symlink
        case .pipe, .other: kind = .other
        }
        return FileStatus(kind: kind, mode: info.mode, owner: FileOwner(uid: info.uid, gid: info.gid),
                          size: info.size, links: info.links,
                          identity: FileIdentity(device: info.device, inode: info.inode),
                          times: "\(info.modifiedSeconds).\(info.modifiedNanoseconds) \(info.changedSeconds).\(info.changedNanoseconds)")
    }

    public func list(_ path: String) throws -> [String] {
        let real = try real(path, followingLast: true)
        do { return try Files.list(real) } catch { throw hostError("cannot list", path, error) }
    }

    public func write(_ path: String, _ data: Data, mode: UInt16, owner: FileOwner?) throws {
        // Durable: a host file must hold its old or its new content after a power loss, never none.
        let real = try real(path)
        do {
            try Files.writeAtomically(real, data, mode: mode, owner: owner.map { (uid: $0.uid, gid: $0.gid) }, durable: true)
        } catch {
            let what = switch error.call {
            case "open": "cannot create a temporary file for"
            case "fchmod": "cannot chmod"
            case "fchown": "cannot chown"
            case "fsync": "cannot sync"
            case "rename": "cannot replace"
            default: "cannot write"
            }
            throw hostError(what, path, error)
        }
    }

    public func makeDirectory(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        let real = try real(path, followingLast: true)
        do { try Files.createDirectory(real) } catch { throw hostError("cannot create directory", path, error) }
        try setAttributes(path, mode: mode, owner: owner)
    }

    public func setAttributes(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        let real = try real(path), followed = try self.real(path, followingLast: true)
        do {
            if let owner { try Files.setOwner(real, uid: owner.uid, gid: owner.gid) }
        } catch { throw hostError("cannot chown", path, error) }
        do {
            // chmod follows a link: the resolved path keeps it under the root.
            if let mode { try Files.setMode(followed, mode) }
        } catch { throw hostError("cannot chmod", path, error) }
    }

    public func move(_ source: String, to destination: String) throws {
        let from = try real(source), to = try real(destination)
        do { try Files.rename(from, to: to) } catch {
            throw hostError("cannot move \(source) to", destination, error)
        }
    }

    public func removeTree(_ path: String) throws {
        guard try status(path) != nil else { return }
        let real = try real(path)
        do { try Files.remove(real) } catch { throw hostError("cannot remove", path, error) }
    }

    private func hostError(_ what: String, _ path: String, _ error: SystemError) -> HostError {
        HostError.io("\(what) \(path): \(error.reason)")
    }
}
