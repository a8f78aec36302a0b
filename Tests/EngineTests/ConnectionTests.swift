import Engine
import Kube
import Synchronization
import Testing
import TestSupport

/// The API server appears partway through a run (after k3s.install): the first step to reach it
/// runs the connect hook (the lease, the ledger's ConfigMaps); a step that reaches it meanwhile
/// waits for that, or its record lands on a ledger that does not exist yet (404).
@Suite struct ConnectionTests {
    @Test func aSecondCallerWaitsForTheConnectHook() async throws {
        let rig = try EngineRig()
        let connection = rig.connection()
        let hookDone = Mutex(false)
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        await connection.whenConnected { _ in
            startedSignal.yield()
            // Room for a caller that does not wait to come back first.
            for _ in 0..<1000 { await Task.yield() }
            hookDone.withLock { $0 = true }
        }
        async let first = connection.connect()
        for await _ in started { break }
        let second = try await connection.connect()
        #expect(second != nil)
        #expect(hookDone.withLock { $0 }, "the second caller got the client before the connect hook finished")
        #expect(try await first != nil)
    }

    /// A hook that failed (another run holds the lease) fails every caller, not only the first:
    /// no step writes without the lease.
    @Test func aFailedHookFailsEveryCaller() async throws {
        struct LeaseHeld: Error {}
        let rig = try EngineRig()
        let connection = rig.connection()
        await connection.whenConnected { _ in throw LeaseHeld() }
        await #expect(throws: LeaseHeld.self) { try await connection.connect() }
        await #expect(throws: LeaseHeld.self) { try await connection.connect() }
    }
}
