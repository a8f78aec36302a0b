import Foundation
import Testing
import TestSupport

/// Ctrl-C, SIGTERM and SIGKILL during a data copy: no command outlives bootstrap, the run says what
/// it did and how to continue, and the re-run completes.
@Suite struct InterruptTests {
    static let playbook = """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: interrupt}
        steps:
          - id: dataset
            type: zfs.dataset
            with: {name: tank/data, mountpoint: /tank/data, backend: directory}
          - id: copy
            type: data.migrate
            needs: [dataset]
            with: {from: /srv/data, to: /tank/data}
          - id: after
            type: host.file
            needs: [copy]
            with: {path: /etc/after.conf, content: "x\\n"}

        """

    /// A rehearsal whose `cp` hangs: it writes its pid, then becomes a long `sleep` (same pid).
    struct Rig {
        let dir = TemporaryDirectory()
        var playbook: String { dir.file("pb.yaml") }
        var rehearsal: String { dir.file("r") }
        var pidFile: String { dir.file("cp.pid") }
        var errFile: String { dir.file("stderr") }

        init(ignoringInterrupt: Bool = false) throws {
            try dir.write("pb.yaml", InterruptTests.playbook)
            try dir.write("r/host/srv/data/a", "data\n", mode: 0o644)
            try dir.write("fake/cp", "#!/bin/sh\n\(ignoringInterrupt ? "trap '' INT TERM\n" : "")echo $$ > \"\(pidFile).tmp\"\nmv \"\(pidFile).tmp\" \"\(pidFile)\"\nexec sleep 600\n", mode: 0o755)
        }

        /// Starts an apply with the hanging cp first on PATH and waits until the copy runs.
        func startApply() throws -> (Process, copy: Int32) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Paths.binary)
            process.arguments = ["apply", playbook, "--rehearsal", rehearsal]
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = dir.file("fake") + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            process.environment = environment
            FileManager.default.createFile(atPath: errFile, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: errFile)!
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            try #require(waitFor(seconds: 60) { FileManager.default.fileExists(atPath: pidFile) }, "the copy did not start")
            let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            return (process, pid)
        }

        var stderr: String { (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? "" }
    }

    /// Running and not a zombie waiting for a reaper.
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    /// Polls `condition` until it holds or the deadline passes.
    static func waitFor(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// `recorded`: the interrupted run recorded the dataset (a SIGKILLed rehearsal may not have saved its cluster state).
    func rerunCompletes(_ rig: Rig, recorded: Bool = true) throws {
        let rerun = try bootstrap(["apply", rig.playbook, "--rehearsal", rig.rehearsal])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains(recorded ? "2 applied, 1 skipped" : "[copy] applied"), "\(rerun.stderr)")
        #expect(FileManager.default.contents(atPath: rig.rehearsal + "/host/tank/data/a") == Data("data\n".utf8))
    }

    @Test func ctrlCDuringACopyStopsTheCopyAndTheRerunCompletes() throws {
        let rig = try Rig()
        let (apply, copy) = try rig.startApply()
        kill(apply.processIdentifier, SIGINT)
        apply.waitUntilExit()
        #expect(apply.terminationStatus == 130, "\(rig.stderr)")
        #expect(!Self.isRunning(copy), "the copy outlived bootstrap")
        #expect(rig.stderr.contains("interrupted: 1 steps applied, 1 not started; re-run to continue"), "\(rig.stderr)")
        #expect(rig.stderr.contains(Paths.binary + " apply"), "the re-run line names the binary as invoked: \(rig.stderr)")
        try rerunCompletes(rig)
    }

    @Test func sigtermExits143() throws {
        let rig = try Rig()
        let (apply, copy) = try rig.startApply()
        kill(apply.processIdentifier, SIGTERM)
        apply.waitUntilExit()
        #expect(apply.terminationStatus == 143, "\(rig.stderr)")
        #expect(!Self.isRunning(copy))
        #expect(rig.stderr.contains("interrupted: 1 steps applied"), "\(rig.stderr)")
    }

    /// A command that ignores the forwarded signal is killed at the second Ctrl-C, without waiting out the grace period.
    @Test func secondCtrlCKillsACommandThatIgnoresTheFirst() throws {
        let rig = try Rig(ignoringInterrupt: true)
        let (apply, copy) = try rig.startApply()
        kill(apply.processIdentifier, SIGINT)
        #expect(Self.waitFor(seconds: 30) { rig.stderr.contains("SIGINT: stopping") })
        #expect(Self.isRunning(copy), "the copy ignores SIGINT")
        kill(apply.processIdentifier, SIGINT)
        apply.waitUntilExit()
        #expect(apply.terminationStatus == 130)
        #expect(rig.stderr.contains("ended by signal 9"), "\(rig.stderr)")
        #expect(!Self.isRunning(copy))
        try rerunCompletes(rig)
    }

    @Test func sigkillOfBootstrapLeavesNoCommandRunning() throws {
        let rig = try Rig()
        let (apply, copy) = try rig.startApply()
        kill(apply.processIdentifier, SIGKILL)
        apply.waitUntilExit()
        #expect(Self.waitFor(seconds: 10) { !Self.isRunning(copy) }, "the copy outlived a SIGKILLed bootstrap")
        try rerunCompletes(rig, recorded: false)
    }
}
