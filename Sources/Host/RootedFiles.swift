import Foundation
import Platform

/// File operations on host paths placed under a real directory: the local and rehearsal hosts, and rehearsal simulations.
public struct RootedFiles: Sendable {
    public let root: String
    public init(root: String) { self.root = root }

    public func real(_ hostPath: String) -> String { mapUnder(root, hostPath) }

    public func read(_ path: String) throws -> Data? {
        let real = real(path)
        guard (try status(path)) != nil else { return nil }
        do { return try Data(contentsOf: URL(fileURLWithPath: real)) } catch {
            throw HostError.io("cannot read \(path): \(error.localizedDescription)")
        }
    }

    public func status(_ path: String) throws -> FileStatus? {
        let found: FileInfo?
        do { found = try FileInfo.of(real(path)) } catch { throw hostError("cannot stat", path, error) }
        guard let info = found else { return nil }
        let kind: FileStatus.Kind
        switch info.kind {
        case .file: kind = .file
        case .directory: kind = .directory
        case .symlink: kind = .symlink
        case .other: kind = .other
        }
        return FileStatus(kind: kind, mode: info.mode, owner: FileOwner(uid: info.uid, gid: info.gid),
                          size: info.size, links: info.links,
                          identity: FileIdentity(device: info.device, inode: info.inode))
    }

    public func list(_ path: String) throws -> [String] {
        do { return try FileManager.default.contentsOfDirectory(atPath: real(path)).sorted() } catch {
            throw HostError.io("cannot list \(path): \(error.localizedDescription)")
        }
    }

    public func write(_ path: String, _ data: Data, mode: UInt16, owner: FileOwner?) throws {
        // Durable: a host file must hold its old or its new content after a power loss, never none.
        do {
            try Files.writeAtomically(real(path), data, mode: mode, owner: owner.map { (uid: $0.uid, gid: $0.gid) }, durable: true)
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
        do { try FileManager.default.createDirectory(atPath: real(path), withIntermediateDirectories: true) } catch {
            throw HostError.io("cannot create directory \(path): \(error.localizedDescription)")
        }
        try setAttributes(path, mode: mode, owner: owner)
    }

    public func setAttributes(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        do {
            if let owner { try Files.setOwner(real(path), uid: owner.uid, gid: owner.gid) }
        } catch { throw hostError("cannot chown", path, error) }
        do {
            if let mode { try Files.setMode(real(path), mode) }
        } catch { throw hostError("cannot chmod", path, error) }
    }

    public func move(_ source: String, to destination: String) throws {
        do { try Files.rename(real(source), to: real(destination)) } catch {
            throw hostError("cannot move \(source) to", destination, error)
        }
    }

    public func removeTree(_ path: String) throws {
        guard try status(path) != nil else { return }
        do { try FileManager.default.removeItem(atPath: real(path)) } catch {
            throw HostError.io("cannot remove \(path): \(error.localizedDescription)")
        }
    }

    private func hostError(_ what: String, _ path: String, _ error: SystemError) -> HostError {
        HostError.io("\(what) \(path): \(error.reason)")
    }
}
