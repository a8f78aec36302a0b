/// What a rehearsal does instead of running a program it cannot run here (zfs, the k3s installer).
///
/// Each step type brings the simulations of the commands it runs (beside its driver); the
/// rehearsal host only dispatches to them.
public struct CommandSimulation: Sendable {
    /// The program's name as it appears in argv[0] (its last path component).
    public var program: String
    /// Whether this simulation stands in for this particular command line.
    public var matches: @Sendable (Command) -> Bool
    /// The command's effect under the rehearsal host, and what it prints.
    public var run: @Sendable (Command, RehearsalHost) throws -> CommandResult

    public init(program: String, matches: @escaping @Sendable (Command) -> Bool = { _ in true },
                run: @escaping @Sendable (Command, RehearsalHost) throws -> CommandResult) {
        self.program = program
        self.matches = matches
        self.run = run
    }
}
