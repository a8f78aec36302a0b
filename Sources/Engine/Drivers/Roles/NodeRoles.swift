import Host

/// A step type whose effect binds ports on the node itself (an API server, an ingress's entry points).
public protocol BindsHostPorts: StepDriver {
    /// The ports, checked free on a fresh node and reached by `bootstrap verify`.
    var hostPorts: [HostPort] { get }
}

/// A step type with checks of the node before the first change (read only, as in plan): the
/// compose stack stopped, room in the pool, a pinned installer. Plan shows them; apply refuses to
/// start while one fails.
public protocol Preflighted: StepDriver {
    func preflight(_ context: StepContext) async throws -> [PreflightCheck]
}

/// A step type that runs host commands a rehearsal cannot run, and says what it does instead.
public protocol Rehearsable: StepDriver {
    static var simulations: [CommandSimulation] { get }
}
