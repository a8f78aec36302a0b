import Foundation
import Host
import Synchronization

/// A host that stops at its n-th change, before or after making it, as a process killed at that
/// point would: the crash tests of host steps run a step on it, then re-run on the real host.
public final class StoppingHost: HostSystem, Sendable {
    /// Thrown where the process would have died.
    public struct Stopped: Error {}

    let wrapped: any HostSystem
    let stopAt: Int
    let afterChange: Bool
    private let changes = Mutex(0)

    public init(wrapping host: any HostSystem, stopAt: Int, afterChange: Bool) {
        self.wrapped = host
        self.stopAt = stopAt
        self.afterChange = afterChange
    }

    /// How many changes were made or attempted.
    public var changeCount: Int { changes.withLock { $0 } }

    public var root: String { wrapped.root }

    func change<T>(_ body: () async throws -> T) async throws -> T {
        let n = changes.withLock { count -> Int in count += 1; return count }
        if n == stopAt && !afterChange { throw Stopped() }
        let result = try await body()
        if n == stopAt { throw Stopped() }
        return result
    }

    func changeSync(_ body: () throws -> Void) throws {
        let n = changes.withLock { count -> Int in count += 1; return count }
        if n == stopAt && !afterChange { throw Stopped() }
        try body()
        if n == stopAt { throw Stopped() }
    }

    public func run(_ command: Command) async throws -> CommandResult {
        guard command.changesHost else { return try await wrapped.run(command) }
        return try await change { try await wrapped.run(command) }
    }
    public func read(_ path: String) throws -> Data? { try wrapped.read(path) }
    public func status(_ path: String) throws -> FileStatus? { try wrapped.status(path) }
    public func list(_ path: String) throws -> [String] { try wrapped.list(path) }
    public func sha256Mismatch(_ path: String, expected: String) async throws -> String? {
        try await wrapped.sha256Mismatch(path, expected: expected)
    }
    public func write(_ path: String, _ data: Data, mode: UInt16, owner: FileOwner?) throws {
        try changeSync { try wrapped.write(path, data, mode: mode, owner: owner) }
    }
    public func makeDirectory(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        try changeSync { try wrapped.makeDirectory(path, mode: mode, owner: owner) }
    }
    public func setAttributes(_ path: String, mode: UInt16?, owner: FileOwner?) throws {
        try changeSync { try wrapped.setAttributes(path, mode: mode, owner: owner) }
    }
    public func move(_ source: String, to destination: String) throws {
        try changeSync { try wrapped.move(source, to: destination) }
    }
    public func removeTree(_ path: String) throws { try changeSync { try wrapped.removeTree(path) } }
}
