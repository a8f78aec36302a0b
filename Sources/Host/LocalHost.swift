import FoundationEssentials
import Platform

/// The real host: commands run for real, found on PATH, and files live under `root`.
public struct LocalHost: HostSystem {
    public let root: String
    /// The environment commands start with (PATH included); a command's own assignments come on top.
    public let environment: [String: String]
    private let files: RootedFiles

    public init(root: String = "/", environment: [String: String] = Environment.variables) {
        self.root = root
        self.environment = environment
        self.files = RootedFiles(root: root)
    }

    public func run(_ command: Command) async throws -> CommandResult {
        // Host paths in the command are resolved like file operations: no symlink leads out of the root.
        // `DIR/.` (cp's "the contents of DIR") and `DIR/` (rsync's "into DIR") keep their meaning.
        let argv = try command.mappedArgv { word in
            if word.hasSuffix("/.") { return try files.real(String(word.dropLast(2)), followingLast: true) + "/." }
            if word.count > 1, word.hasSuffix("/") { return try files.real(String(word.dropLast()), followingLast: true) + "/" }
            return try files.real(word, followingLast: true)
        }
        return try await ProcessRunner.run(argv: argv, environment: environment.merging(command.environment) { $1 },
                                    input: command.input)
    }

    public func read(_ path: String) throws -> Data? { try files.read(path) }
    public func status(_ path: String) throws -> FileStatus? { try files.status(path) }
    public func list(_ path: String) throws -> [String] { try files.list(path) }

    public func sha256Mismatch(_ path: String, expected: String) async throws -> String? {
        let result = try await runChecked(Command(["sha256sum", path], changesHost: false, hostPaths: [1]))
        let actual = result.stdout.split(separator: " ").first.map(String.init)?.lowercased() ?? ""
        return actual == expected.lowercased() ? nil : actual
    }

    public func write(_ path: String, _ data: Data, mode: UInt16, owner: FileOwner?) throws {
        try files.write(path, data, mode: mode, owner: owner)
    }
    public func makeDirectory(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        try files.makeDirectory(path, mode: mode, owner: owner)
    }
    public func setAttributes(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        try files.setAttributes(path, mode: mode, owner: owner)
    }
    public func move(_ source: String, to destination: String) throws { try files.move(source, to: destination) }
    public func removeTree(_ path: String) throws { try files.removeTree(path) }
}
