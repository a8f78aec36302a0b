import Document
import Emulator
import Foundation
import Synchronization
import Testing
import TestSupport

/// Kill -9 at every write an apply makes, then re-run: the result must equal one clean run.
@Suite struct CrashConsistencyTests {
    /// 22 steps: namespaces, ConfigMaps in them, and host files (recorded once the API answers).
    static func playbook(shrunk: Bool = false) -> String {
        var text = "apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: crash}\nsteps:\n"
        for i in 0..<8 {
            text += "  - id: ns\(i)\n    type: kube.namespaces\n    with: {names: [crash-\(i)]}\n"
        }
        for i in 0..<10 where !(shrunk && i == 9) {
            let name = shrunk && i == 7 ? "cm-7-renamed" : "cm-\(i)"
            text += """
                  - id: cm\(i)
                    type: kube.objects
                    needs: [ns\(i % 8)]
                    with:
                      objects:
                        - {apiVersion: v1, kind: ConfigMap, metadata: {name: \(name), namespace: crash-\(i % 8)}, data: {index: "\(i)"}}

                """
        }
        for i in 0..<4 {
            text += "  - id: file\(i)\n    type: host.file\n    needs: [cm\(i)]\n    with: {path: /etc/crash/\(i).conf, content: \"value \(i)\\n\", mode: \"0640\"}\n"
        }
        return text
    }

    /// What a run leaves behind: the objects' content, the ledger's step ids, and the host files.
    struct Outcome: Equatable {
        var objects: [String: String]
        var recorded: [String]
        var files: [String: String]
    }

    func outcome(_ rig: EngineRig) -> Outcome {
        var objects: [String: String] = [:]
        for i in 0..<8 {
            let ns = rig.server.object(apiVersion: "v1", kind: "Namespace", name: "crash-\(i)")
            objects["ns/\(i)"] = JSON.encode(ns?[path: ["metadata", "labels"]] ?? .null, options: .sortedKeys)
        }
        for i in 0..<10 {
            let cm = rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "crash-\(i % 8)", name: "cm-\(i)")
            objects["cm/\(i)"] = JSON.encode(cm?["data"] ?? .null, options: .sortedKeys)
        }
        let renamed = rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "crash-7", name: "cm-7-renamed")
        objects["cm/7-renamed"] = JSON.encode(renamed?["data"] ?? .null, options: .sortedKeys)
        var files: [String: String] = [:]
        for i in 0..<4 {
            files["\(i)"] = try? String(contentsOfFile: rig.hostRoot.path + "/etc/crash/\(i).conf", encoding: .utf8)
        }
        return Outcome(objects: objects, recorded: rig.ledger("crash").keys.sorted(), files: files)
    }

    func apply(_ rig: EngineRig, _ playbook: String, kubeconfig: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["apply", playbook, "--yes", "--kubeconfig", kubeconfig, "--host-root", rig.hostRoot.path, "--parallel", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return process
    }

    @Test func killedAtEveryWriteThenRerunConvergesToOneCleanRun() throws {
        let dir = TemporaryDirectory()
        let playbook = try dir.write("crash.yaml", Self.playbook())
        try killAtEveryWrite(dir, playbook, minimumWrites: 40, recorded: 22)
    }

    /// Deletions too: a step taken out and an object renamed, killed at every write (each delete,
    /// each record and each record removal), converge to the state of one clean run.
    @Test func killedAtEveryWriteOfAShrinkingRunConverges() throws {
        let dir = TemporaryDirectory()
        let full = try dir.write("crash.yaml", Self.playbook())
        let shrunk = try dir.write("shrunk.yaml", Self.playbook(shrunk: true))
        try killAtEveryWrite(dir, shrunk, minimumWrites: 4, recorded: 21) { rig, kubeconfig in
            let setup = try bootstrap(["apply", full, "--yes", "--kubeconfig", kubeconfig, "--host-root", rig.hostRoot.path])
            #expect(setup.status == 0, "\(setup.stderr)")
            rig.server.clearRequestLog()
        }
    }

    /// Runs `playbook` cleanly once, then once per write it makes with a SIGKILL at that write,
    /// re-runs, and compares with the clean run. `prepare` brings each fresh cluster to the start state.
    func killAtEveryWrite(_ dir: TemporaryDirectory, _ playbook: String, minimumWrites: Int, recorded: Int,
                          prepare: (EngineRig, String) throws -> Void = { _, _ in }) throws {
        // The clean run: the state to converge to, and how many writes it takes.
        let clean = try EngineRig()
        try clean.server.writeKubeconfig(to: dir.file("clean.kubeconfig"))
        try prepare(clean, dir.file("clean.kubeconfig"))
        let cleanRun = try apply(clean, playbook, kubeconfig: dir.file("clean.kubeconfig"))
        try cleanRun.run()
        cleanRun.waitUntilExit()
        #expect(cleanRun.terminationStatus == 0)
        let expected = outcome(clean)
        #expect(expected.recorded.count == recorded)
        let writes = clean.writesSeen().count
        #expect(writes >= minimumWrites, "the apply writes each object, each deletion and each record")

        for n in 1...writes {
            let rig = try EngineRig()
            let kubeconfig = dir.file("kubeconfig-\(n)")
            try rig.server.writeKubeconfig(to: kubeconfig)
            try prepare(rig, kubeconfig)
            let victim = try apply(rig, playbook, kubeconfig: kubeconfig)
            let pid = Mutex<Int32>(0)
            // Odd writes: killed before the server sees the write. Even: the write lands, the reply is lost.
            let dropIt = n % 2 == 1
            rig.server.beforeEachWrite { ordinal in
                guard ordinal == n else { return .proceed }
                var target: Int32 = 0
                for _ in 0..<10_000 where target == 0 { target = pid.withLock { $0 }; if target == 0 { usleep(100) } }
                kill(target, SIGKILL)
                return dropIt ? .drop : .proceed
            }
            try victim.run()
            pid.withLock { $0 = victim.processIdentifier }
            victim.waitUntilExit()
            rig.server.beforeEachWrite(nil)
            // Steps that finish together share one ledger write (a group commit), so how many writes
            // a run makes depends on timing: a run may end before a write the clean run made. Every
            // write a run does make is a kill point; an apply that got there and lived is a failure.
            let made = rig.writesSeen().count
            #expect(victim.terminationReason == .uncaughtSignal || (victim.terminationStatus == 0 && made < n),
                    "write \(n): the apply was not killed (it made \(made) writes)")

            let rerun = try bootstrap(["apply", playbook, "--yes", "--kubeconfig", kubeconfig, "--host-root", rig.hostRoot.path])
            #expect(rerun.status == 0, "write \(n): re-run failed: \(rerun.stderr)")
            #expect(outcome(rig) == expected, "write \(n) (\(dropIt ? "before" : "after") it landed): state differs from a clean run")
        }
    }
}
