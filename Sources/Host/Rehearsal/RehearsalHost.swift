import FoundationEssentials
import Platform

/// A simulated host under a directory: host files live in `DIR/host`, every command and file
/// change is appended to `DIR/host.log` as a shell line (look-ups as `# ` comments), and the
/// commands step types cannot run here (zfs, systemd, the k3s installer) are simulated by the
/// ``CommandSimulation``s those step types bring.
public struct RehearsalHost: HostSystem {
    public let directory: String
    public var root: String { directory + "/host" }
    /// The log of everything the host would have done, one shell line each.
    public var logPath: String { directory + "/host.log" }
    var simulatedFilesPath: String { directory + "/simulated-files" }
    /// Host files as simulations see them: changes made here are effects, not logged actions.
    public var files: RootedFiles { RootedFiles(root: root) }
    /// Runs what may run for real here (cp, sha256sum, a simulated program) with paths under DIR/host.
    private var local: LocalHost { LocalHost(root: root) }
    private let simulations: [CommandSimulation]

    public init(directory: String, simulations: [CommandSimulation]) throws {
        self.directory = directory
        self.simulations = simulations
        try Files.createDirectory(directory + "/host")
        // Every run starts by clearing what a run killed mid-write left (a `.k3s.yaml` temporary
        // under etc/rancher/k3s, say): the rehearsal directory is bootstrap's own.
        Files.removeStaleTemporaries(under: directory)
    }

    /// A file of a simulation's own under DIR (the simulated zfs's dataset list, say).
    public func statePath(_ name: String) -> String { directory + "/" + name }

    /// Marks a host file as made by a simulation (a stand-in download): its pinned digest cannot
    /// match, so a digest check of it passes by construction.
    public func markSimulated(_ path: String) throws {
        let listed = Self.text(simulatedFilesPath) ?? ""
        try Files.writeAtomically(simulatedFilesPath, Array((listed + path + "\n").utf8), mode: 0o644, durable: false)
    }

    func simulatedFiles() -> Set<String> {
        guard let text = Self.text(simulatedFilesPath) else { return [] }
        return Set(text.split(separator: "\n").map(String.init))
    }

    /// The lines of the host log so far.
    public func loggedActions() -> [String] {
        guard let text = Self.text(logPath) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// A state file of the rehearsal's own as text, or nil when there is none.
    private static func text(_ path: String) -> String? {
        (try? Files.read(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    public func run(_ command: Command) async throws -> CommandResult {
        // Look-ups are logged as comments, so the log's plain lines are exactly what changed the host.
        try log([command.changesHost ? command.description : "# " + command.description])
        let program = command.argv.first ?? ""
        let name = PathText.lastComponent(program)
        if let simulation = simulations.first(where: { $0.program == name && $0.matches(command) }) {
            return try simulation.run(command, self)
        }
        // Copies run for real under DIR/host: their effect is the data a rehearsal shows.
        if name == "cp" || name == "rsync" {
            if try copiesEmptyDirectory(command) { return CommandResult(status: 0, stdout: "", stderr: "") }
            return try await local.run(command)
        }
        if program.hasPrefix("/"), !command.changesHost, try files.status(program) != nil {
            return try await local.run(command)
        }
        throw HostError.notSimulated(command.description)
    }

    /// `cp -a SRC/. DST` or `rsync --archive … SRC/. DST/` of an empty directory only creates DST:
    /// done here, without a process. Rehearsals copy seeded empty sources many times, and a process
    /// each was most of their time.
    private func copiesEmptyDirectory(_ command: Command) throws -> Bool {
        guard command.argv.count >= 3, command.argv.contains("-a") || command.argv.contains("--archive"),
              !command.argv.contains(where: { $0.hasPrefix("--chown") || $0.hasPrefix("--chmod") }) else { return false }
        let source = command.argv[command.argv.count - 2]
        var destination = command.argv[command.argv.count - 1]
        if destination.count > 1, destination.hasSuffix("/") { destination.removeLast() }
        guard source.hasSuffix("/."), try files.status(destination) == nil else { return false }
        let directory = String(source.dropLast(2))
        guard let info = try files.status(directory), info.kind == .directory, try files.list(directory).isEmpty else { return false }
        try files.makeDirectory(destination, mode: info.mode, owner: info.owner)
        return true
    }

    public func read(_ path: String) throws -> Data? { try files.read(path) }
    public func status(_ path: String) throws -> FileStatus? { try files.status(path) }
    public func list(_ path: String) throws -> [String] { try files.list(path) }

    public func sha256Mismatch(_ path: String, expected: String) async throws -> String? {
        try log(HostChange.verifyDigest(path: path, sha256: expected).lines)
        if simulatedFiles().contains(path) { return nil }
        return try await local.sha256Mismatch(path, expected: expected)
    }

    public func write(_ path: String, _ data: Data, mode: UInt16, owner: FileOwner?) throws {
        try files.write(path, data, mode: mode, owner: nil)
        bestEffortChown(path, owner)
        try log(HostChange.writeFile(FileWrite(path: path, mode: mode, owner: owner, old: nil, new: .plain(data))).lines)
    }

    public func makeDirectory(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        try files.makeDirectory(path, mode: mode, owner: nil)
        bestEffortChown(path, owner)
        try log(HostChange.makeDirectory(path, mode: mode, owner: owner).lines)
    }

    public func setAttributes(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        bestEffortChown(path, owner)
        try files.setAttributes(path, mode: mode, owner: nil)
        try log(HostChange.setAttributes(path, mode: mode, owner: owner).lines)
    }

    public func move(_ source: String, to destination: String) throws {
        try files.move(source, to: destination)
        try log(HostChange.move(source, to: destination).lines)
    }

    public func removeTree(_ path: String) throws {
        try files.removeTree(path)
        try log(HostChange.remove(path).lines)
    }

    // A rehearsal usually runs unprivileged: the log records the owner, the copy keeps what it can.
    private func bestEffortChown(_ path: String, _ owner: FileOwner?) {
        if let owner { try? files.setAttributes(path, mode: nil, owner: owner) }
    }

    /// File changes are logged once made, so the log never shows a write that failed (a symlinked
    /// directory that leads out of the host root, say); commands are logged before they run.
    private func log(_ lines: [String]) throws {
        guard !lines.isEmpty else { return }
        let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        do { try Files.append(logPath, bytes, mode: 0o644) } catch {
            throw HostError.io(error.call == "open" ? "cannot open \(logPath)" : "cannot write \(logPath)")
        }
    }
}
