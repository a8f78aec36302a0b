import Document
import Emulator
import Foundation
import Host
import Testing
import TestSupport

/// Two applies of the same playbook at once, as separate processes against one API server.
@Suite struct ConcurrentApplyTests {
    /// Polls (bounded) until `condition` holds; the bound only stops a broken run from hanging.
    func eventually(_ what: String, _ condition: () -> Bool) throws {
        for _ in 0..<2000 {
            if condition() { return }
            usleep(5000)
        }
        throw StepTimeout(what: what)
    }
    struct StepTimeout: Error { var what: String }

    @Test func secondApplyExits75NamingTheHolderAndNothingInterleaves() throws {
        let rig = try EngineRig()
        let dir = TemporaryDirectory()
        let kubeconfig = dir.file("kubeconfig")
        try rig.server.writeKubeconfig(to: kubeconfig)
        let playbook = try dir.write("p.yaml", layeredPlaybook(name: "race", count: 6))
        // Hold the first apply inside its first step, so the second one surely meets its lease.
        rig.server.inject(Fault(method: "PATCH", pathPrefix: "/api/v1/namespaces/ns-0", action: .delay(.seconds(2)), times: 1))

        let first = Process()
        first.executableURL = URL(fileURLWithPath: Paths.binary)
        first.arguments = ["apply", playbook, "--yes", "--kubeconfig", kubeconfig, "--host-root", dir.file("root"), "--parallel", "1"]
        first.standardError = FileHandle.nullDevice
        first.standardOutput = FileHandle.nullDevice
        try first.run()
        try eventually("the first apply to take the lease") {
            rig.server.object(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "kube-system", name: "bootstrap-race")?[path: ["spec", "holderIdentity"]]?.stringValue?.isEmpty == false
        }

        // Another node's apply of the same playbook (its own host root): the cluster's Lease decides.
        let second = try bootstrap(["apply", playbook, "--yes", "--kubeconfig", kubeconfig, "--host-root", dir.file("root2")])
        first.waitUntilExit()

        #expect(second.status == 75)
        #expect(second.stderr.contains("error: another apply holds the lock: \(ProcessInfo.processInfo.hostName)/pid \(first.processIdentifier), since "))
        #expect(first.terminationStatus == 0)
        // Each namespace was written once, by the first apply only; every step recorded once.
        let namespaceWrites = rig.writesSeen().filter { $0.path.hasPrefix("/api/v1/namespaces/ns-") && $0.status < 300 }
        #expect(namespaceWrites.count == 6)
        #expect(Set(namespaceWrites.map(\.path)).count == 6)
        #expect(rig.ledger("race").count == 6)
        // The lock is free again: the next apply skips everything.
        let third = try bootstrap(["apply", playbook, "--yes", "--kubeconfig", kubeconfig, "--host-root", dir.file("root")])
        #expect(third.status == 0)
        #expect(third.stdout.contains("0 applied, 6 skipped"))
    }

    /// On one node, the node's lock refuses a second apply before any host work: on a fresh node
    /// there is no API server yet whose Lease could.
    @Test func aSecondApplyOnTheSameNodeIsRefusedBeforeAnyHostWork() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("r")
        try FileManager.default.createDirectory(atPath: rehearsal + "/host", withIntermediateDirectories: true)
        let held = try RunLock.acquire(on: LocalHost(root: rehearsal + "/host"), identity: "other-apply/pid 4242")
        let refused = try bootstrap(["apply", CLITests.minimal, "--rehearsal", rehearsal])
        #expect(refused.status == 75)
        #expect(refused.stderr.contains("another apply holds this node's lock (/var/lib/bootstrap/apply.lock): other-apply/pid 4242 since "))
        #expect(!FileManager.default.fileExists(atPath: rehearsal + "/host.log"), "host work ran")
        // Nothing else was written either: the rehearsal's CRDs, cluster state and seeded sources
        // come after the lock.
        #expect(try FileManager.default.contentsOfDirectory(atPath: rehearsal) == ["host"])
        #expect(try FileManager.default.subpathsOfDirectory(atPath: rehearsal + "/host").sorted()
                == ["var", "var/lib", "var/lib/bootstrap", "var/lib/bootstrap/apply.lock"])
        held.release()
        let applied = try bootstrap(["apply", CLITests.minimal, "--rehearsal", rehearsal])
        #expect(applied.status == 0, "\(applied.stderr)")
    }
}
