import Engine
import Graph
import Playbook
import Testing

/// Ordering evidence for the executor: concurrency of independent steps, and failures blocking only dependents.
@Suite struct ExecutorTests {
    func graph(_ text: String) throws -> StepGraph {
        try StepGraph.build(try PlaybookLoader.parse(text, file: "g.yaml"))
    }

    static let header = "apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: g}\nsteps:\n"

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
        let g = try graph(Self.header + """
              - {id: a, type: t}
              - {id: b, type: t}
              - {id: c, type: t, needs: [a, b]}
            """)
        let journal = Journal()
        let outcomes = await Executor(parallel: 4).run(g) { id in
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
        let g = try graph(Self.header + (0..<8).map { "  - {id: s\($0), type: t}\n" }.joined())
        actor Gauge {
            var running = 0, peak = 0
            func enter() { running += 1; peak = max(peak, running) }
            func leave() { running -= 1 }
        }
        let gauge = Gauge()
        _ = await Executor(parallel: 2).run(g) { _ in
            await gauge.enter()
            await Task.yield()
            await gauge.leave()
            return .applied
        }
        #expect(await gauge.peak <= 2)
    }

    @Test func failureBlocksOnlyDependents() async throws {
        let g = try graph(Self.header + """
              - {id: a, type: t}
              - {id: b, type: t, needs: [a]}
              - {id: c, type: t}
              - {id: d, type: t, needs: [b]}
              - {id: e, type: t, needs: [c]}
            """)
        let journal = Journal()
        let outcomes = await Executor(parallel: 1).run(g) { id in
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
        let g = try graph(Self.header + """
              - {id: w, type: t, needs: [x]}
              - {id: z, type: t}
              - {id: y, type: t, needs: [z]}
              - {id: x, type: t}
            """)
        // Among ready steps the one written first goes first; a step waits for what it needs.
        #expect(g.order == ["z", "y", "x", "w"])
        #expect(g.render(.text) == "z\ny <- z\nx\nw <- x\n")
        #expect(g.render(.dot).contains("\"z\" -> \"y\";"))
        #expect(g.render(.mermaid).contains("s3 --> s0"))
    }
}
