#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// An exclusive flock(2) on a file, held until released or the process ends (the kernel drops it
/// when the last descriptor closes, so a killed holder never leaves a stale lock behind).
public final class FileLock: Sendable {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    /// Takes the lock without waiting; nil when another open file holds it. The file is created
    /// (mode 0600) when missing, and its directory must exist. `note` replaces the file's content
    /// once the lock is ours (who holds it), for the next taker's message.
    public static func tryLock(_ path: String, note: String) throws(SystemError) -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .last("open", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            posixClose(fd)
            if code == EWOULDBLOCK { return nil }
            throw SystemError(call: "flock", subject: path, code: code)
        }
        _ = ftruncate(fd, 0)
        let bytes = Array(note.utf8)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return FileLock(fd: fd)
    }

    /// Lets the next run take it.
    public func release() { posixClose(fd) }
}
