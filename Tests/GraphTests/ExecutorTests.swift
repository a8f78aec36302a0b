import Foundation
import Graph
import Testing

/// What a step came to, for these tests: the executor knows only whether dependents may run.
enum Outcome: StepResult, Equatable {
    case applied
    case failed(String)
    case blocked(by: String)
    var unblocksDependents: Bool { self == .applied }
}

/// Ordering evidence for the executor: dependency order, concurrency of independent steps, and
/// failures blocking only their dependents. The graph is built from ids alone, no playbook.
@Suite struct ExecutorTests {
    /// `spec`: one `id` or `id <- need, need` per line, in written order.
    func graph(_ spec: String) throws -> StepGraph {
        try StepGraph.build(spec.split(separator: "\n").map { line in
            let parts = line.split(separator: "<-").map { $0.trimmingCharacters(in: .whitespaces) }
            let needs = parts.count > 1 ? parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : []
            return StepGraph.Node(id: parts[0], needs: needs.map { StepGraph.Need($0) })
        })
    }

    /// Records events in order; lets a step wait until another has started.
    actor Journal {
        var events: [String] = []
        var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]

        func record(_ event: String) {
            events.append(event)
            for waiter in waiters.removeValue(forKey: event) ?? [] { waiter.resume() }
        }

        /// Waits for an event; a step that waits for one that never comes would hang, so the
        /// executor must have started both before either finishes.
        func waitFor(_ event: String) async {
            if events.contains(event) { return }
            await withCheckedContinuation { waiters[event, default: []].append($0) }
        }
    }

    @Test func independentStepsOverlap() async throws {
        let g = try graph("a\nb\nc <- a, b")
        let journal = Journal()
        let outcomes = await Executor(parallel: 4).run(g) { id -> Outcome in
            await journal.record("start \(id)")
            // a and b each wait until the other has started: only concurrent execution gets past this.
            if id == "a" { await journal.waitFor("start b") }
            if id == "b" { await journal.waitFor("start a") }
            await journal.record("end \(id)")
            return .applied
        }
        let events = await journal.events
        #expect(outcomes.values.allSatisfy { $0 == .applied })
        let endA = events.firstIndex(of: "end a")!, endB = events.firstIndex(of: "end b")!
        #expect(events.firstIndex(of: "start a")! < endB && events.firstIndex(of: "start b")! < endA)
        #expect(events.firstIndex(of: "start c")! > max(endA, endB))
    }

    @Test func parallelLimitIsRespected() async throws {
        let g = try graph((0..<8).map { "s\($0)" }.joined(separator: "\n"))
        actor Gauge {
            var running = 0, peak = 0
            func enter() { running += 1; peak = max(peak, running) }
            func leave() { running -= 1 }
        }
        let gauge = Gauge()
        _ = await Executor(parallel: 2).run(g) { _ -> Outcome in
            await gauge.enter()
            await Task.yield()
            await gauge.leave()
            return .applied
        }
        #expect(await gauge.peak <= 2)
    }

    @Test func failureBlocksOnlyDependents() async throws {
        let g = try graph("a\nb <- a\nc\nd <- b\ne <- c")
        let journal = Journal()
        let outcomes = await Executor(parallel: 1).run(g) { id -> Outcome in
            await journal.record(id)
            return id == "a" ? .failed("boom") : .applied
        }
        #expect(outcomes["a"] == .failed("boom"))
        #expect(outcomes["b"] == .blocked(by: "a"))
        #expect(outcomes["d"] == .blocked(by: "a"))
        #expect(outcomes["c"] == .applied)
        #expect(outcomes["e"] == .applied)
        #expect(await journal.events == ["a", "c", "e"])
    }

    @Test func runOrderIsDeterministic() async throws {
        let g = try graph("w <- x\nz\ny <- z\nx")
        // Among ready steps the one written first goes first; a step waits for what it needs.
        #expect(g.order == ["z", "y", "x", "w"])
        #expect(g.render(.text) == "z\ny <- z\nx\nw <- x\n")
        #expect(g.render(.dot).contains("\"z\" -> \"y\";"))
        #expect(g.render(.mermaid).contains("s3 --> s0"))
    }

    /// Each step starts only after every step it needs has finished, whatever the parallelism.
    @Test func aStepRunsOnlyAfterWhatItNeeds() async throws {
        let g = try graph("deploy <- db, config\ndb <- volumes\nconfig\nvolumes\nreport")
        let journal = Journal()
        let outcomes = await Executor(parallel: 4).run(g) { id -> Outcome in
            await journal.record("start \(id)")
            await Task.yield()
            await journal.record("end \(id)")
            return .applied
        }
        let events = await journal.events
        #expect(outcomes.count == 5 && outcomes.values.allSatisfy { $0 == .applied })
        for (step, needs) in [("deploy", ["db", "config"]), ("db", ["volumes"])] {
            for need in needs {
                #expect(events.firstIndex(of: "end \(need)")! < events.firstIndex(of: "start \(step)")!, "\(step) started before \(need) ended")
            }
        }
    }

    /// Once the run is stopped no further step starts, and those steps have no outcome at all.
    @Test func aStoppedRunStartsNothingMore() async throws {
        let g = try graph("a\nb <- a\nc")
        let stop = Stop()
        let outcomes = await Executor(parallel: 1).run(g, stopped: { stop.isSet }) { id -> Outcome in
            stop.set()
            return .applied
        }
        #expect(outcomes == ["a": .applied])
    }
}

/// A flag the body sets and the executor reads.
final class Stop: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var isSet: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}
