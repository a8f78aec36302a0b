import Foundation
import Platform
import Synchronization
import Testing

/// Waits until `count` threads have arrived (or ten seconds pass); says whether all did.
private final class Barrier: @unchecked Sendable {
    private let condition = NSCondition()
    private var arrived = 0
    private let count: Int
    init(count: Int) { self.count = count }

    func arriveAndWait() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        condition.broadcast()
        let deadline = Date().addingTimeInterval(10)
        while arrived < count { guard condition.wait(until: deadline) else { return false } }
        return true
    }
}

private struct Expected: Error, Equatable {}

@Suite struct BlockingTests {
    @Test func returnsTheResultAndRethrows() async throws {
        #expect(try await Blocking.run { 6 * 7 } == 42)
        await #expect(throws: Expected.self) { try await Blocking.run { () throws -> Int in throw Expected() } }
    }

    /// More blocked jobs than the cooperative pool has threads all run at once: each has its own thread.
    @Test func blockedJobsDoNotHoldTheCooperativePool() async throws {
        let jobs = 3 * ProcessInfo.processInfo.activeProcessorCount + 2
        let barrier = Barrier(count: jobs)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<jobs { group.addTask { try await Blocking.run { barrier.arriveAndWait() } } }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: jobs))
    }

    @Test func workersRunEveryJobWithAResourceMadeOnTheirThread() async throws {
        let made = Mutex(0)
        let workers = Workers<Int>(name: "test-worker", maxThreads: 2) { made.withLock { $0 += 1; return $0 } }
        let done = Mutex([Int]())
        for job in 0..<20 { workers.submit { _ in done.withLock { $0.append(job) }; return {} } }
        // shutdown() waits for the threads, so it is blocking work too.
        try await Blocking.run { workers.shutdown() }
        #expect(done.withLock { $0.sorted() } == Array(0..<20))
        #expect((1...2).contains(made.withLock { $0 }))
    }

    /// Requests one after the other (each sent when the previous answered) keep to one thread, so
    /// to one connection: a job submitted from a finished job's completion does not start a thread.
    @Test func aJobSubmittedAsTheLastFinishesReusesItsThread() async throws {
        let made = Mutex(0)
        let workers = Workers<Int>(name: "test-worker", maxThreads: 4) { made.withLock { $0 += 1; return $0 } }
        let used = Mutex([Int]())
        let finished = Barrier(count: 2)
        @Sendable func chain(_ left: Int) {
            workers.submit { resource in
                used.withLock { $0.append(resource) }
                return { if left > 1 { chain(left - 1) } else { _ = finished.arriveAndWait() } }
            }
        }
        chain(10)
        #expect(try await Blocking.run { finished.arriveAndWait() })
        try await Blocking.run { workers.shutdown() }
        #expect(used.withLock { $0 } == Array(repeating: 1, count: 10), "every job ran on the first thread")
        #expect(made.withLock { $0 } == 1)
    }

    /// A program that echoes more than a pipe holds while still being fed finishes: both directions are served.
    @Test func pipeExchangeFeedsAndDrainsAtOnce() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "cat; echo done >&2"]
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let text = Array(repeating: UInt8(ascii: "x"), count: 1 << 20)
        let (out, err) = try await Blocking.run {
            let exchanged = PipeExchange.run(input: text, inputFD: input.fileHandleForWriting.fileDescriptor,
                                             closeInput: { try? input.fileHandleForWriting.close() },
                                             outputFD: output.fileHandleForReading.fileDescriptor,
                                             errorFD: error.fileHandleForReading.fileDescriptor)
            process.waitUntilExit()
            return exchanged
        }
        #expect(out == text)
        #expect(err == Array("done\n".utf8))
    }
}
