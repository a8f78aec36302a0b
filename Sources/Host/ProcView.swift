import FoundationEssentials
import Platform

/// What the node's /proc (under the host root) says about sockets and open files. Read from /proc
/// rather than with `ss`, `fuser` or `lsof`: /proc is on every Linux node, while those tools come
/// from packages a minimal Debian leaves out (psmisc, lsof), and tests lay out a /proc of their own
/// under the host root on the same code path.
extension HostSystem {
    /// The target of a symbolic link at a host path, or nil when it is not one (or is gone).
    public func readLink(_ hostPath: String) -> String? {
        try? Files.readLink(path(hostPath))
    }

    /// Ports something listens on: TCP sockets in LISTEN, UDP sockets bound and unconnected.
    public func listeningPorts() throws -> Set<String> {
        var ports = Set<String>()
        for (file, proto, state) in [("tcp", "tcp", "0A"), ("tcp6", "tcp", "0A"), ("udp", "udp", "07"), ("udp6", "udp", "07")] {
            guard let data = try read("/proc/net/" + file) else { continue }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 3, fields[3] == state, let colon = fields[1].lastIndex(of: ":"),
                      let port = Int(fields[1][fields[1].index(after: colon)...], radix: 16) else { continue }
                ports.insert("\(port)/\(proto)")
            }
        }
        return ports
    }

    /// Processes with a file open at or under one of `paths`: `(pid, command, open path)`.
    public func processesHolding(under paths: [String]) throws -> [(pid: Int, command: String, path: String)] {
        let prefixes = paths.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        var found: [(Int, String, String)] = []
        guard try status("/proc") != nil else { return [] }
        for entry in try list("/proc") {
            guard let pid = Int(entry), let fds = try? list("/proc/\(entry)/fd") else { continue }
            for fd in fds {
                guard let target = readLink("/proc/\(entry)/fd/\(fd)"),
                      prefixes.contains(where: { target.hasPrefix($0) || target + "/" == $0 }) else { continue }
                let command = (try? read("/proc/\(entry)/comm")).map { String(decoding: $0, as: UTF8.self) }?
                    .trimming(.whitespaceAndNewlines) ?? "?"
                found.append((pid, command, target))
                break
            }
        }
        return found
    }
}
