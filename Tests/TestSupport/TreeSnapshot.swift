import Foundation

/// Everything a faithful copy must keep, per relative path: kind, mode, owner, content or link
/// target, mtime, and which other path it is hard-linked to.
public struct TreeSnapshot: Equatable, CustomStringConvertible {
    public var entries: [String: String] = [:]

    public init(_ directory: String, skipping: Set<String> = [], withTimes: Bool = false) {
        var firstPathOfInode: [UInt64: String] = [:]
        let names = (FileManager.default.subpaths(atPath: directory) ?? []).sorted()
        for name in names where !skipping.contains(String(name.split(separator: "/").first ?? "")) {
            let path = directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            var line = "mode=\(String(st.st_mode, radix: 8)) owner=\(st.st_uid):\(st.st_gid)"
            switch st.st_mode & S_IFMT {
            case S_IFLNK: line += " link=" + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
            case S_IFREG:
                let data = FileManager.default.contents(atPath: path) ?? Data()
                line += " size=\(data.count) content=\(data.base64EncodedString().prefix(40))"
                if st.st_nlink > 1 {
                    if let first = firstPathOfInode[UInt64(st.st_ino)] { line += " hardlink=\(first)" } else {
                        firstPathOfInode[UInt64(st.st_ino)] = name
                    }
                }
            default: break
            }
            if withTimes { line += " mtime=\(st.st_mtim.tv_sec)" }
            entries[name] = line
        }
    }

    public var description: String { entries.keys.sorted().map { "\($0): \(entries[$0]!)" }.joined(separator: "\n") }
}

/// A small data directory with what a database leaves behind: owners, modes, links.
public func makeSourceTree(_ directory: String) throws {
    let fm = FileManager.default
    try fm.createDirectory(atPath: directory + "/faf/empty", withIntermediateDirectories: true)
    try Data("ibdata".utf8).write(to: URL(fileURLWithPath: directory + "/ibdata1"))
    try Data(repeating: 7, count: 100_000).write(to: URL(fileURLWithPath: directory + "/faf/game_stats.ibd"))
    try Data().write(to: URL(fileURLWithPath: directory + "/faf/db.opt"))
    try Data("secret".utf8).write(to: URL(fileURLWithPath: directory + "/faf/.my.cnf"))
    link(directory + "/faf/game_stats.ibd", directory + "/faf/hardlink.ibd")
    symlink("game_stats.ibd", directory + "/faf/relative-link")
    symlink("/nonexistent/target", directory + "/dangling-link")
    for (path, mode, uid, gid) in [("/faf", 0o750, 999, 999), ("/faf/game_stats.ibd", 0o660, 999, 999),
                                   ("/faf/.my.cnf", 0o600, 0, 0), ("/ibdata1", 0o640, 999, 1000), ("/faf/empty", 0o2770, 999, 999)] {
        chown(directory + path, uid_t(uid), gid_t(gid))
        chmod(directory + path, mode_t(mode))
    }
    lchown(directory + "/faf/relative-link", 999, 999)
}
