import Foundation

/// A command to run on the host, found on PATH.
public struct Command: Sendable, Hashable, CustomStringConvertible {
    public var argv: [String]
    public var environment: [String: String]
    public var input: String?
    /// False for look-ups (`zfs list`, `k3s --version`): only those may run during `plan`.
    public var changesHost: Bool

    public init(_ argv: [String], environment: [String: String] = [:], input: String? = nil, changesHost: Bool) {
        self.argv = argv
        self.environment = environment
        self.input = input
        self.changesHost = changesHost
    }

    /// The command as a shell would read it, with environment assignments first.
    public var description: String {
        let env = environment.keys.sorted().map { "\($0)=\(shellQuote(environment[$0]!))" }
        return (env + argv.map(shellQuote)).joined(separator: " ")
    }
}

/// What a finished command returned.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// The host a step changes: commands on PATH and files under the host root.
///
/// The seam between step drivers and the machine: production runs commands for real, tests put
/// recording fakes on PATH, rehearsal simulates effects under a directory, and plan wraps any of
/// them so that nothing with a side effect can run.
public protocol HostSystem: Sendable {
    /// Where host paths live; `/` on a real node.
    var root: String { get }
    /// Runs a command found on PATH.
    func run(_ command: Command) async throws -> CommandResult
}

extension HostSystem {
    /// The real path of an absolute host path, under ``root``.
    public func path(_ hostPath: String) -> String {
        if root == "/" || root.isEmpty { return hostPath }
        let trimmed = root.hasSuffix("/") ? String(root.dropLast()) : root
        return trimmed + (hostPath.hasPrefix("/") ? hostPath : "/" + hostPath)
    }
}

/// Quotes a word for a POSIX shell when it needs it.
public func shellQuote(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_./=:,@+%".unicodeScalars.contains($0)
    }
    if safe && !word.isEmpty { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
