import Foundation
import Host
import Testing
import TestSupport

/// The node's lock: one apply at a time on a node, across processes; taken again within the
/// process that holds it (a rehearsal's session, then its apply).
@Suite struct RunLockTests {
    /// Whether another process could take the lock now (`flock -n` exits 1 when it is held).
    func freeForAnotherProcess(_ file: String) throws -> Bool {
        let probe = try runProcess("/usr/bin/env", ["flock", "-n", file, "true"])
        return probe.status == 0
    }

    @Test func takenAgainInTheProcessAndFreeOnlyWhenEveryTakingIsReleased() throws {
        let root = TemporaryDirectory("lock")
        let host = LocalHost(root: root.path)
        let file = root.path + RunLock.path
        let first = try RunLock.acquire(on: host, identity: "session")
        let second = try RunLock.acquire(on: host, identity: "apply")
        #expect(try !freeForAnotherProcess(file))
        second.release()
        second.release()  // once, however often it is called
        #expect(try !freeForAnotherProcess(file), "released by the inner taking while the outer one holds it")
        first.release()
        #expect(try freeForAnotherProcess(file))
        // And taken again afresh.
        let again = try RunLock.acquire(on: host, identity: "next")
        #expect(try !freeForAnotherProcess(file))
        again.release()
    }

    /// Another process holding the lock: refused, naming the holder as it wrote itself down;
    /// free again once that process lets go.
    @Test func aSecondHolderIsRefusedNamingTheFirst() throws {
        let root = TemporaryDirectory("lock")
        let host = LocalHost(root: root.path)
        let file = root.path + RunLock.path
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["flock", file, "sh", "-c", "echo 'ops@node-01 pid 42 since 2026-01-01T00:00:00Z' > \"$0\"; echo held; cat", file]
        let input = Pipe(), output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        // The holder says "held" once it has the lock.
        var said = Data()
        while !said.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            said.append(chunk)
        }
        #expect(String(decoding: said, as: UTF8.self) == "held\n")

        #expect { try RunLock.acquire(on: host, identity: "second") } throws: { error in
            "\(error)" == "another apply holds this node's lock (/var/lib/bootstrap/apply.lock): ops@node-01 pid 42 since 2026-01-01T00:00:00Z; "
                + "it is released when that apply ends"
        }
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        let taken = try RunLock.acquire(on: host, identity: "second")
        taken.release()
    }
}
