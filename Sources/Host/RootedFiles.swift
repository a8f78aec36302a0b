import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        var st = stat()
        if lstat(real(path), &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw posixError("cannot stat", path)
        }
        let kind: FileStatus.Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        return FileStatus(kind: kind, mode: UInt16(st.st_mode & 0o7777), owner: FileOwner(uid: st.st_uid, gid: st.st_gid),
                          size: Int64(st.st_size), links: Int(st.st_nlink),
                          identity: FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)))
    }

    public func list(_ path: String) throws -> [String] {
        do { return try FileManager.default.contentsOfDirectory(atPath: real(path)).sorted() } catch {
            throw HostError.io("cannot list \(path): \(error.localizedDescription)")
        }
    }

    public func write(_ path: String, _ data: Data, mode: UInt16, owner: FileOwner?) throws {
        let target = real(path)
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        let temporary = "\(directory)/.\(name).bootstrap-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw posixError("cannot create a temporary file for", path) }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(temporary) }
        }
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw posixError("cannot write", path)
                }
                offset += n
            }
        }
        // The mode is set explicitly so the umask cannot widen or narrow it, before any content is visible.
        if fchmod(fd, mode_t(mode)) != 0 { throw posixError("cannot chmod", path) }
        if let owner, fchown(fd, owner.uid, owner.gid) != 0 { throw posixError("cannot chown", path) }
        if fsync(fd) != 0 { throw posixError("cannot sync", path) }
        if rename(temporary, target) != 0 { throw posixError("cannot replace", path) }
        ok = true
    }

    public func makeDirectory(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        do { try FileManager.default.createDirectory(atPath: real(path), withIntermediateDirectories: true) } catch {
            throw HostError.io("cannot create directory \(path): \(error.localizedDescription)")
        }
        try setAttributes(path, mode: mode, owner: owner)
    }

    public func setAttributes(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        if let owner, lchown(real(path), owner.uid, owner.gid) != 0 { throw posixError("cannot chown", path) }
        if let mode, chmod(real(path), mode_t(mode)) != 0 { throw posixError("cannot chmod", path) }
    }

    public func move(_ source: String, to destination: String) throws {
        if rename(real(source), real(destination)) != 0 { throw posixError("cannot move \(source) to", destination) }
    }

    public func removeTree(_ path: String) throws {
        guard try status(path) != nil else { return }
        do { try FileManager.default.removeItem(atPath: real(path)) } catch {
            throw HostError.io("cannot remove \(path): \(error.localizedDescription)")
        }
    }

    private func posixError(_ what: String, _ path: String) -> HostError {
        HostError.io("\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
