/// A kubeconfig's `server`, taken apart the way libcurl reads it, so that the rules about where a
/// credential may go decide on the host curl will connect to, not on how the text begins.
///
/// curl reads the scheme case-insensitively (`HTTP://` is plain HTTP) and the host after any
/// userinfo (`http://127.0.0.1:1@example.com` connects to example.com), so a prefix test on the
/// text would take both for something they are not.
struct ServerURL: Equatable {
    /// The two schemes bootstrap lets curl speak (`CURLOPT_PROTOCOLS_STR` is `http,https`).
    enum Scheme: String { case http, https }

    let scheme: Scheme
    /// Lowercased; an IPv6 literal without its brackets.
    let host: String

    /// Why a server URL cannot be used; the text never quotes the URL (userinfo may hold a password).
    enum Problem: Error, Equatable {
        case noScheme, unsupportedScheme(String), userinfo, noHost, badPort
        var message: String {
            switch self {
            case .noScheme: return "has no scheme: write https://HOST:PORT"
            case .unsupportedScheme(let scheme): return "uses the scheme \"\(scheme)\": bootstrap speaks https:// (and http:// to a loopback address)"
            case .userinfo: return "holds user information before an @, which bootstrap refuses: credentials belong in the user entry (token, client certificate)"
            case .noHost: return "names no host"
            case .badPort: return "has a port that is not a number"
            }
        }
    }

    init(parsing text: String) throws(Problem) {
        guard let separator = text.firstRange(of: "://") else { throw .noScheme }
        let schemeText = text[..<separator.lowerBound].lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else { throw .unsupportedScheme(schemeText) }
        // The authority ends where curl's does: at the path, query or fragment; a backslash is
        // taken as the end too, since some parsers read it as a path separator.
        let rest = text[separator.upperBound...]
        let authority = rest[..<(rest.firstIndex { "/?#\\".contains($0) } ?? rest.endIndex)]
        guard !authority.contains("@") else { throw .userinfo }
        let hostAndPort = authority.lowercased()
        var host = hostAndPort
        var port = ""
        if hostAndPort.hasPrefix("[") {
            guard let close = hostAndPort.firstIndex(of: "]") else { throw .noHost }
            host = String(hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close])
            let after = hostAndPort[hostAndPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .badPort }
                port = String(after.dropFirst())
            }
        } else if let colon = hostAndPort.firstIndex(of: ":") {
            host = String(hostAndPort[..<colon])
            port = String(hostAndPort[hostAndPort.index(after: colon)...])
        }
        guard !host.isEmpty else { throw .noHost }
        guard port.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .badPort }
        self.scheme = scheme
        self.host = host
    }

    /// A loopback host: the emulator, or an SSH tunnel's local end; plain HTTP there stays on the machine.
    var isLoopback: Bool { ["127.0.0.1", "localhost", "::1"].contains(host) }

    /// Plain HTTP to a host off this machine: what is sent crosses the network in clear.
    var isPlainOffHost: Bool { scheme == .http && !isLoopback }
}
