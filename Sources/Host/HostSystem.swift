import FoundationEssentials

/// A command to run on the host, found on PATH.
public struct Command: Sendable, Hashable, CustomStringConvertible {
    public var argv: [String]
    public var environment: [String: String]
    public var input: String?
    /// False for look-ups (`zfs list`, `k3s --version`): only those may run during `plan`.
    public var changesHost: Bool
    /// Indices of `argv` words that are host paths: a host under another root maps them before running.
    public var hostPaths: Set<Int>

    public init(_ argv: [String], environment: [String: String] = [:], input: String? = nil, changesHost: Bool,
                hostPaths: Set<Int> = []) {
        self.argv = argv
        self.environment = environment
        self.input = input
        self.changesHost = changesHost
        self.hostPaths = hostPaths
    }

    /// The command as a shell would read it, with environment assignments first.
    public var description: String {
        let env = environment.keys.sorted().map { "\($0)=\(shellQuote(environment[$0]!))" }
        return (env + argv.map(shellQuote)).joined(separator: " ")
    }

    /// The argv with host paths (and an absolute program path) mapped by `map`.
    public func mappedArgv(_ map: (String) throws -> String) rethrows -> [String] {
        try argv.enumerated().map { index, word in
            hostPaths.contains(index) || (index == 0 && word.hasPrefix("/")) ? try map(word) : word
        }
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
/// them so that nothing with a side effect can run. Every path is a host path (absolute, as on
/// the node); implementations place it under their root.
public protocol HostSystem: Sendable {
    /// Where host paths live; `/` on a real node.
    var root: String { get }
    /// Runs a command found on PATH; a program given as an absolute path is a host path.
    func run(_ command: Command) async throws -> CommandResult

    /// The file's bytes, or nil when nothing is there.
    func read(_ path: String) throws -> Data?
    /// What `lstat` says, or nil when nothing is there.
    func status(_ path: String) throws -> FileStatus?
    /// The names in a directory, sorted.
    func list(_ path: String) throws -> [String]
    /// Whether the file's SHA-256 is `expected`; nil when it is, else the actual digest.
    func sha256Mismatch(_ path: String, expected: String) async throws -> String?

    /// Replaces a file atomically (temporary file, then rename) with this mode and owner.
    func write(_ path: String, _ data: Data, mode: UInt16, owner: FileOwner?) throws
    /// `mkdir -p`, then sets mode and owner of the last directory when given.
    func makeDirectory(_ path: String, mode: UInt16?, owner: FileOwner?) throws
    /// chmod and chown (the latter without following symlinks).
    func setAttributes(_ path: String, mode: UInt16?, owner: FileOwner?) throws
    /// rename(2): atomic, and only within one file system.
    func move(_ source: String, to destination: String) throws
    /// Removes a file or a whole tree; drivers only call it on what they created themselves.
    func removeTree(_ path: String) throws
}

extension HostSystem {
    /// The real path of an absolute host path, under ``root``.
    public func path(_ hostPath: String) -> String {
        mapUnder(root, hostPath)
    }

    /// Runs a command and fails when it exits non-zero, with its error output.
    @discardableResult
    public func runChecked(_ command: Command) async throws -> CommandResult {
        let result = try await run(command)
        guard result.status == 0 else { throw HostError.commandFailed(command.description, result) }
        return result
    }
}

func mapUnder(_ root: String, _ hostPath: String) -> String {
    if root == "/" || root.isEmpty { return hostPath }
    let trimmed = root.hasSuffix("/") ? String(root.dropLast()) : root
    return trimmed + (hostPath.hasPrefix("/") ? hostPath : "/" + hostPath)
}

/// Quotes a word for a POSIX shell when it needs it.
public func shellQuote(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_./=:,@+%".unicodeScalars.contains($0)
    }
    if safe && !word.isEmpty { return word }
    return "'" + word.replacing("'", with: "'\\''") + "'"
}
