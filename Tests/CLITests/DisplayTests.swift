import Engine
import Testing
@testable import bootstrap

/// The live display fits the terminal and falls back to plain lines where it cannot work.
@Suite struct DisplayTests {
    @Test func liveAndColourOnlyOnACapableTerminal() {
        let xterm = ["TERM": "xterm-256color"]
        #expect(Display.decide(stderrIsTerminal: true, environment: xterm, textOutput: true).live)
        #expect(Display.decide(stderrIsTerminal: true, environment: xterm, textOutput: true).colour)
        let dumb = Display.decide(stderrIsTerminal: true, environment: ["TERM": "dumb"], textOutput: true)
        #expect(!dumb.live && !dumb.colour)
        let piped = Display.decide(stderrIsTerminal: false, environment: xterm, textOutput: true)
        #expect(!piped.live && !piped.colour)
        let noColour = Display.decide(stderrIsTerminal: true, environment: ["TERM": "xterm", "NO_COLOR": "1"], textOutput: true)
        #expect(noColour.live && !noColour.colour)
        #expect(!Display.decide(stderrIsTerminal: true, environment: xterm, textOutput: false).live, "JSON output gets no live block")
    }

    @Test func liveLinesAreCutToOneScreenRowEach() {
        let now = ContinuousClock.now
        let running = [
            ProgressPrinter.Running(step: "copy-mariadb", since: now, doing: "copying /opt/faf-stack/data/faf-db to /tank/faf/mariadb: 1.2 GiB of 40.0 GiB (3%)"),
            ProgressPrinter.Running(step: "k3s", since: now, doing: "running"),
        ]
        let lines = ProgressPrinter.liveLines(running, now: now, columns: 40)
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.count <= 39 }, "\(lines)")
        #expect(lines[0].hasSuffix("…"))
        #expect(lines[1] == "  … k3s (0s) running")
    }

    /// Issue 27: at 80 columns the copy line read `copying /opt/faf-stack/data/faf-db to /tank/faf/faf-db: 532.9…`.
    /// The paths give way; bytes, percentage, rate and ETA stay.
    @Test func atEightyColumnsTheCopyLineKeepsItsNumbers() {
        let now = ContinuousClock.now
        let numbers = "532.9 MiB of 40.0 GiB (1%), 85.3 MiB/s, ETA 7:41"
        let doing = "copying /opt/faf-stack/data/faf-db to /tank/faf/faf-db: \(numbers), 1204 of 51000 entries"
        for columns in [80, 100, 120] {
            let line = ProgressPrinter.liveLines([ProgressPrinter.Running(step: "volumes", since: now, doing: doing)],
                                                 now: now, columns: columns)[0]
            #expect(line.count <= columns - 1, "\(line)")
            #expect(line.contains(numbers), "\(columns): \(line)")
        }
        let wide = ProgressPrinter.liveLines([ProgressPrinter.Running(step: "volumes", since: now, doing: doing)], now: now, columns: 200)[0]
        #expect(wide == "  … volumes (0s) " + doing)
        let medium = ProgressPrinter.liveLines([ProgressPrinter.Running(step: "volumes", since: now, doing: doing)], now: now, columns: 140)[0]
        #expect(medium.contains("copying …/faf-db to …/faf-db: 532.9 MiB"), "\(medium)")
    }

    @Test func planMarksAreColouredOnlyWhenColourIsOn() {
        let plan = "+ namespaces (kube.namespaces)\n    ~ v1 Namespace faf\n    - v1 ConfigMap old\n= k3s (k3s.install)"
        let on = Display(live: false, colour: true).paintPlan(plan).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(on[0] == "\u{1B}[32m+ namespaces (kube.namespaces)\u{1B}[0m")
        #expect(on[1].hasPrefix("\u{1B}[33m"))
        #expect(on[2].hasPrefix("\u{1B}[31m"))
        #expect(on[3] == "= k3s (k3s.install)")
        #expect(Display(live: false, colour: false).paintPlan(plan) == plan)
    }
}
