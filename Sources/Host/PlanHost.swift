/// A host for `plan`: look-ups pass through, anything that would change the host is refused.
public struct PlanHost: HostSystem {
    public struct Refused: Error, CustomStringConvertible {
        public var command: String
        public var description: String { "plan refused to run a command that changes the host: \(command)" }
    }

    let inner: any HostSystem
    public init(wrapping inner: any HostSystem) { self.inner = inner }
    public var root: String { inner.root }

    public func run(_ command: Command) async throws -> CommandResult {
        guard !command.changesHost else { throw Refused(command: command.description) }
        return try await inner.run(command)
    }
}
