#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// Whole-file reads, atomic replacement, appends, attribute changes and renames, with errno's reason on failure.
public enum Files {
    /// Every byte of a file.
    public static func read(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .last("open", path) }
        defer { close(fd) }
        guard let bytes = try readAll(fd, path, maxBytes: .max) else { preconditionFailure("no bound to exceed") }
        return bytes
    }

    /// Reads `fd` to its end; nil once more than `maxBytes` arrived.
    private static func readAll(_ fd: Int32, _ path: String, maxBytes: Int) throws(SystemError) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .last("read", path)
            }
            if n == 0 { return bytes }
            if bytes.count > maxBytes - n { return nil }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Why a bounded read refused a file that could be opened.
    public enum Refusal: Error, Sendable, Equatable {
        case directory
        /// A device, socket or anything else that is neither a regular file nor a pipe.
        case notRegular
        case tooLarge
    }

    /// Every byte of a regular file or a pipe (`--secrets <(pass show faf)`), at most `maxBytes`:
    /// a device such as /dev/zero would be read until memory runs out, a directory is no file.
    public static func read(_ path: String, maxBytes: Int) throws -> [UInt8] {
        // Opened without blocking: a FIFO nobody writes to would hang the open; then read blocking.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw SystemError.last("open", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SystemError.last("fstat", path) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFIFO: _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        case S_IFDIR: throw Refusal.directory
        default: throw Refusal.notRegular
        }
        if Int(info.st_size) > maxBytes { throw Refusal.tooLarge }
        guard let bytes = try readAll(fd, path, maxBytes: maxBytes) else { throw Refusal.tooLarge }
        return bytes
    }

    /// Where a symbolic link points, as written in it.
    public static func readLink(_ path: String) throws(SystemError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { throw .last("readlink", path) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Replaces `path` with `bytes` via a temporary file beside it and rename(2): readers see the old
    /// content or the new, never half of it. The mode is set explicitly so the umask cannot change it,
    /// and the owner too, before the content becomes visible. `durable` fsyncs before the rename:
    /// host files must survive power loss; scratch state need not pay a sync per write.
    public static func writeAtomically(_ path: String, _ bytes: some Collection<UInt8>, mode: UInt16,
                                       owner: (uid: UInt32, gid: UInt32)? = nil, durable: Bool) throws(SystemError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        removeStaleTemporaries(directory: directory)
        let temporary = "\(directory)/\(temporaryPrefix(name))\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .last("open", temporary) }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(temporary) }
        }
        try writeAll(fd, bytes, path)
        if fchmod(fd, mode_t(mode)) != 0 { throw .last("fchmod", path) }
        if let owner, fchown(fd, owner.uid, owner.gid) != 0 { throw .last("fchown", path) }
        if durable, fsync(fd) != 0 { throw .last("fsync", path) }
        if posixRename(temporary, path) != 0 { throw .last("rename", path) }
        ok = true
    }

    /// The start of the names of `name`'s temporary files; the writer's pid and a random number follow.
    static func temporaryPrefix(_ name: String) -> String { ".\(name).bootstrap-" }

    /// Whether `entryName` is a temporary file of ``writeAtomically(_:_:mode:owner:durable:)``
    /// (`.NAME.bootstrap-PID-RANDOM`), and the pid of its writer.
    public static func temporaryWriter(of entryName: String) -> Int32? {
        guard entryName.hasPrefix("."), let marker = entryName.ranges(of: ".bootstrap-").last,
              marker.lowerBound > entryName.startIndex else { return nil }
        let rest = entryName[marker.upperBound...]
        guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0,
              UInt32(rest[rest.index(after: dash)...]) != nil else { return nil }
        return pid
    }

    /// Removes the temporary files in `directory` whose writer is gone (a run killed between
    /// creating and renaming one), whatever file they were for: each write cleans up what killed
    /// runs left beside it. Best effort; a live writer's file (another run, this one) is left alone.
    public static func removeStaleTemporaries(directory: String) {
        guard let stream = opendir(directory) else { return }
        var stale: [String] = []
        while let entry = readdir(stream) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = temporaryWriter(of: entryName), pid != getpid(), Processes.isGone(pid) else { continue }
            stale.append(entryName)
        }
        closedir(stream)
        for entryName in stale { unlink("\(directory)/\(entryName)") }
    }

    /// ``removeStaleTemporaries(directory:)`` in `root` and every directory below it (symbolic
    /// links are not followed): what a run killed mid-write left in a tree bootstrap owns.
    public static func removeStaleTemporaries(under root: String) {
        var pending = [root]
        while let directory = pending.popLast() {
            removeStaleTemporaries(directory: directory)
            guard let stream = opendir(directory) else { continue }
            while let entry = readdir(stream) {
                guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
                let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if entryName != "." && entryName != ".." { pending.append("\(directory)/\(entryName)") }
            }
            closedir(stream)
        }
    }

    /// Appends `bytes` to `path` in one write (O_APPEND), creating it with `mode` when missing.
    public static func append(_ path: String, _ bytes: [UInt8], mode: UInt16) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else { throw .last("open", path) }
        defer { close(fd) }
        guard posixWrite(fd, bytes, bytes.count) == bytes.count else { throw .last("write", path) }
    }

    /// chmod(2), which follows symlinks.
    public static func setMode(_ path: String, _ mode: UInt16) throws(SystemError) {
        if chmod(path, mode_t(mode)) != 0 { throw .last("chmod", path) }
    }

    /// lchown(2): the link itself, never what it points to.
    public static func setOwner(_ path: String, uid: UInt32, gid: UInt32) throws(SystemError) {
        if lchown(path, uid, gid) != 0 { throw .last("lchown", path) }
    }

    /// rename(2): atomic, and only within one file system.
    public static func rename(_ source: String, to destination: String) throws(SystemError) {
        if posixRename(source, destination) != 0 { throw .last("rename", destination) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: some Collection<UInt8>, _ path: String) throws(SystemError) {
        let failed: SystemError?
        if let result = bytes.withContiguousStorageIfAvailable({ writeAll(fd, UnsafeRawBufferPointer($0), path) }) {
            failed = result
        } else {
            failed = Array(bytes).withUnsafeBytes { writeAll(fd, $0, path) }
        }
        if let failed { throw failed }
    }

    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, _ path: String) -> SystemError? {
        var offset = 0
        while offset < buffer.count {
            let n = posixWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return .last("write", path)
            }
            offset += n
        }
        return nil
    }
}
