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

    /// A rehearsal whose copy (`rsync`) hangs: it writes its pid, then becomes a long `sleep` (same pid).
    struct Rig {
        let dir = TemporaryDirectory()
        var playbook: String { dir.file("pb.yaml") }
        var rehearsal: String { dir.file("r") }
        var pidFile: String { dir.file("cp.pid") }
        var errFile: String { dir.file("stderr") }

        init(ignoringInterrupt: Bool = false) throws {
            try dir.write("pb.yaml", InterruptTests.playbook)
            try dir.write("r/host/srv/data/a", "data\n", mode: 0o644)
            try dir.write("fake/rsync", "#!/bin/sh\n\(ignoringInterrupt ? "trap '' INT TERM\n" : "")echo $$ > \"\(pidFile).tmp\"\nmv \"\(pidFile).tmp\" \"\(pidFile)\"\nexec sleep 600\n", mode: 0o755)
        }

        /// Starts an apply with the hanging rsync first on PATH and waits until the copy runs.
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
        #expect(rerun.output.contains(recorded ? "2 applied, 1 skipped" : "[copy] applied"), "\(rerun.output)")
        #expect(FileManager.default.contents(atPath: rig.rehearsal + "/host/tank/data/a") == Data("data\n".utf8))
    }

    @Test func ctrlCDuringACopyStopsTheCopyAndTheRerunCompletes() throws {
        let rig = try Rig()
        let (apply, copy) = try rig.startApply()
        kill(apply.processIdentifier, SIGINT)
        apply.waitUntilExit()
        #expect(apply.terminationStatus == 130, "\(rig.stderr)")
        #expect(!Self.isRunning(copy), "the copy outlived bootstrap")
        #expect(rig.stderr.contains("interrupted: 1 steps applied, 1 interrupted, 1 not started; re-run to continue"), "\(rig.stderr)")
        // The copy was stopped, not failed: no "failed … status 130" for a Ctrl-C.
        #expect(rig.stderr.contains("[copy] interrupted after "), "\(rig.stderr)")
        #expect(!rig.stderr.contains("[copy] failed"), "\(rig.stderr)")
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

/// A long copy is visible: without a terminal, progress lines with bytes and entries of the measured total.
@Suite struct CopyProgressTests {
    @Test func aCopyReportsBytesAndEntriesOfTheMeasuredTotalWithoutATerminal() throws {
        let dir = TemporaryDirectory()
        try dir.write("pb.yaml", InterruptTests.playbook)
        for name in ["a", "b", "c"] { try dir.write("r/host/srv/data/\(name)", String(repeating: "x", count: 1024), mode: 0o644) }
        let release = dir.file("release")
        // The real copy, then held open until the test has seen a progress line.
        try dir.write("fake/rsync", "#!/bin/sh\n/usr/bin/rsync \"$@\" || exit 1\nwhile [ ! -e \"\(release)\" ]; do sleep 0.05; done\n", mode: 0o755)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["apply", dir.file("pb.yaml"), "--rehearsal", dir.file("r")]
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = dir.file("fake") + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        let errFile = dir.file("stderr")
        FileManager.default.createFile(atPath: errFile, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: errFile)!
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = { (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? "" }
        let seen = InterruptTests.waitFor(seconds: 60) { stderr().contains("[copy] copying /srv/data to /tank/data: 3.0 KiB of 3.0 KiB (100%), ") }
        FileManager.default.createFile(atPath: release, contents: nil)
        process.waitUntilExit()
        #expect(seen, "\(stderr())")
        #expect(process.terminationStatus == 0, "\(stderr())")
        #expect(stderr().contains("[copy] measuring /srv/data"))
        #expect(stderr().contains("[copy] copying /srv/data to /tank/data (3.0 KiB, 3 entries)"), "the total, measured before copying")
        let progress = stderr().split(separator: "\n").filter { $0.contains("3 of 3 entries") }
        #expect(progress.count == 1, "repeated progress lines are spaced out without a terminal: \(progress)")
        #expect(progress.first?.contains("/s") == true, "a rate")
    }
}
