#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// What stat(2) says about a path.
public struct FileInfo: Sendable, Equatable {
    /// `pipe` is a FIFO (`<(command)` in a shell); `other` a device or a socket.
    public enum Kind: Sendable, Equatable { case file, directory, symlink, pipe, other }
    public var kind: Kind
    /// Permission bits (0o7777).
    public var mode: UInt16
    public var uid: UInt32
    public var gid: UInt32
    public var size: Int64
    public var links: Int
    public var device: UInt64
    public var inode: UInt64
    public var modifiedSeconds: Int
    public var modifiedNanoseconds: Int
    /// The inode's last change (content or metadata); no system call sets it to a chosen value.
    public var changedSeconds: Int = 0
    public var changedNanoseconds: Int = 0

    /// The path's status, or nil when nothing is there; `followingLinks` chooses stat over lstat.
    public static func of(_ path: String, followingLinks: Bool = false) throws(SystemError) -> FileInfo? {
        do {
            return try existing(path, followingLinks: followingLinks)
        } catch where error.code == ENOENT || error.code == ENOTDIR {
            return nil
        }
    }

    /// The path's status; nothing there is an error too.
    public static func existing(_ path: String, followingLinks: Bool = false) throws(SystemError) -> FileInfo {
        var st = stat()
        if (followingLinks ? stat(path, &st) : lstat(path, &st)) != 0 {
            throw SystemError.last(followingLinks ? "stat" : "lstat", path)
        }
        let kind: Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        case S_IFIFO: kind = .pipe
        default: kind = .other
        }
        return FileInfo(kind: kind, mode: UInt16(st.st_mode & 0o7777), uid: st.st_uid, gid: st.st_gid,
                        size: Int64(st.st_size), links: Int(st.st_nlink), device: UInt64(st.st_dev), inode: UInt64(st.st_ino),
                        modifiedSeconds: Int(st.st_mtim.tv_sec), modifiedNanoseconds: Int(st.st_mtim.tv_nsec),
                        changedSeconds: Int(st.st_ctim.tv_sec), changedNanoseconds: Int(st.st_ctim.tv_nsec))
    }
}
