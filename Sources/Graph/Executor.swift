/// What running one step came to, as far as the walk cares: whether the steps that need it may
/// run, and how to say that one did not run because a step it needs did not succeed.
public protocol StepResult: Sendable {
    /// The step succeeded (or counts as done): the steps that need it may run.
    var unblocksDependents: Bool { get }
    /// The result of a step that did not run because `blocker`, which it needs, did not succeed.
    static func blocked(by blocker: String) -> Self
}

/// Runs a step graph: each step once its needs have succeeded, independent steps concurrently
/// (at most `parallel` at a time). A failure blocks only the steps that depend on it. It knows
/// nothing of the work: `body` does it, and its result says whether dependents may go on.
public struct Executor: Sendable {
    public var parallel: Int

    public init(parallel: Int = 4) { self.parallel = max(1, parallel) }

    /// Runs `body` for each step; returns every step's outcome, keyed by id. Once `stopped` says
    /// so, no further step starts: those have no outcome.
    public func run<Outcome: StepResult>(_ graph: StepGraph,
                                         stopped: @Sendable () -> Bool = { false },
                                         onBlocked: @Sendable (String, String) async -> Void = { _, _ in },
                                         body: @escaping @Sendable (String) async -> Outcome) async -> [String: Outcome] {
        var outcomes: [String: Outcome] = [:]
        var waitingOn = graph.needs.mapValues(\.count)
        let position = Dictionary(uniqueKeysWithValues: graph.ids.enumerated().map { ($1, $0) })
        // Ready steps, started in playbook order so runs are reproducible.
        var ready = graph.ids.filter { waitingOn[$0] == 0 }.reversed() as [String]
        var running = 0

        await withTaskGroup(of: (String, Outcome).self) { group in
            func startReady() {
                while running < parallel, !stopped(), let next = ready.popLast() {
                    running += 1
                    group.addTask { (next, await body(next)) }
                }
            }
            startReady()
            while let (id, outcome) = await group.next() {
                running -= 1
                outcomes[id] = outcome
                if outcome.unblocksDependents {
                    var newlyReady: [String] = []
                    for dependent in graph.dependents[id] ?? [] {
                        waitingOn[dependent]! -= 1
                        if waitingOn[dependent] == 0, outcomes[dependent] == nil { newlyReady.append(dependent) }
                    }
                    ready = (ready + newlyReady).sorted { position[$0]! > position[$1]! }
                } else {
                    for dependent in graph.transitiveDependents(of: id) where outcomes[dependent] == nil {
                        outcomes[dependent] = .blocked(by: id)
                        await onBlocked(dependent, id)
                    }
                    ready.removeAll { outcomes[$0] != nil }
                }
                startReady()
            }
        }
        return outcomes
    }
}
