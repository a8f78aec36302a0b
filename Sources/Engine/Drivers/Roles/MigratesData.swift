import Host

/// A step type that copies data from the compose stack's directories (`--recopy`, `rollback`).
public protocol MigratesData: StepDriver {
    /// Host paths this step copies data from; a rehearsal seeds the missing ones empty.
    var migrationSources: [String] { get }
    /// The names `--recopy` knows this step's data copies by (a volume's name, a step's id).
    var copyNames: [String] { get }
    /// For `bootstrap rollback`: the data copies this step made, each source compared with what
    /// was recorded when it was copied (read only).
    func copyStates(_ host: any HostSystem) async throws -> [CopyState]
}
