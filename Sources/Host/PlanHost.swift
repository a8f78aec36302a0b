import FoundationEssentials

/// The host during `plan`: look-ups pass through, anything with a side effect throws.
public struct PlanHost: HostSystem {
    public let wrapped: any HostSystem
    public init(wrapping host: any HostSystem) { self.wrapped = host }

    public var root: String { wrapped.root }

    public func run(_ command: Command) async throws -> CommandResult {
        guard !command.changesHost else { throw HostError.refusedInPlan(command.description) }
        return try await wrapped.run(command)
    }

    public func read(_ path: String) throws -> Data? { try wrapped.read(path) }
    public func status(_ path: String) throws -> FileStatus? { try wrapped.status(path) }
    public func list(_ path: String) throws -> [String] { try wrapped.list(path) }
    public func sha256Mismatch(_ path: String, expected: String) async throws -> String? {
        try await wrapped.sha256Mismatch(path, expected: expected)
    }

    public func write(_ path: String, _ data: Data, mode: UInt16, owner: FileOwner?) throws {
        throw refused(.writeFile(FileWrite(path: path, mode: mode, owner: owner, old: nil, new: .plain(Data()))))
    }
    public func makeDirectory(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        throw refused(.makeDirectory(path))
    }
    public func setAttributes(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        throw refused(.setAttributes(path, mode: mode, owner: owner))
    }
    public func move(_ source: String, to destination: String) throws {
        throw refused(.move(source, to: destination))
    }
    public func removeTree(_ path: String) throws { throw refused(.remove(path)) }

    private func refused(_ change: HostChange) -> HostError { .refusedInPlan(change.lines.joined(separator: "; ")) }
}
