#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// Existence checks and directories: what FileManager did for the other modules, through the same
/// system calls as the rest of ``Files``, failing with errno's reason.
extension Files {
    /// Whether something is at `path`, following symbolic links (a dangling link is nothing).
    public static func exists(_ path: String) -> Bool {
        ((try? FileInfo.of(path, followingLinks: true)) ?? nil) != nil
    }

    /// Whether this process may read `path` (access(2) with R_OK).
    public static func isReadable(_ path: String) -> Bool {
        access(path, R_OK) == 0
    }

    /// The names in `directory` (without `.` and `..`), sorted.
    public static func list(_ directory: String) throws(SystemError) -> [String] {
        guard let stream = opendir(directory) else { throw .last("opendir", directory) }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Every path below `directory`, relative to it (`a`, `a/b.yaml`), sorted; symbolic links to
    /// directories are listed, not entered.
    public static func listTree(_ directory: String) throws(SystemError) -> [String] {
        var found: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let names = try list(relative.isEmpty ? directory : directory + "/" + relative)
            for name in names {
                let path = relative.isEmpty ? name : relative + "/" + name
                found.append(path)
                if (try? FileInfo.of(directory + "/" + path))??.kind == .directory { pending.append(path) }
            }
        }
        return found.sorted()
    }

    /// mkdir(2) of `path` and every missing parent, like `mkdir -p`; the mode is masked by the umask.
    public static func createDirectory(_ path: String, mode: UInt16 = 0o777) throws(SystemError) {
        if mkdir(path, mode_t(mode)) == 0 { return }
        var failure = SystemError.last("mkdir", path)
        let parent = PathText.parent(path)
        if failure.code == ENOENT, !parent.isEmpty, parent != path {
            // A parent is missing: make it, then this one.
            try createDirectory(parent, mode: mode)
            if mkdir(path, mode_t(mode)) == 0 { return }
            failure = .last("mkdir", path)
        }
        // Already there is done when it is a directory (or a link to one), as with `mkdir -p`.
        guard failure.code == EEXIST, (try? FileInfo.of(path, followingLinks: true))??.kind == .directory else { throw failure }
    }

    /// Removes `path` and, when it is a directory, everything in it (a symbolic link itself, never
    /// what it points to). Nothing there is an error.
    public static func remove(_ path: String) throws(SystemError) {
        if try FileInfo.existing(path).kind == .directory {
            for name in try list(path) { try remove(path + "/" + name) }
            if rmdir(path) != 0 { throw .last("rmdir", path) }
        } else if unlink(path) != 0 {
            throw .last("unlink", path)
        }
    }
}
