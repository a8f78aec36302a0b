import Engine
import FoundationEssentials
import Platform
import Synchronization

/// How stderr shows things: a live block redrawn in place, and colour, only on a capable terminal.
struct Display: Sendable {
    /// Running steps redrawn in place (else one plain line per event).
    var live: Bool
    /// ANSI colour for plan marks and failed steps.
    var colour: Bool

    /// A terminal that is not `TERM=dumb` gets the live block (for text output) and colour
    /// (unless `NO_COLOR` is set, see no-color.org); anything else gets plain lines.
    static func decide(stderrIsTerminal: Bool, environment: [String: String], textOutput: Bool) -> Display {
        let capable = stderrIsTerminal && environment[.term] != "dumb"
        let noColour = !(environment[.noColor] ?? "").isEmpty
        return Display(live: capable && textOutput, colour: capable && !noColour)
    }

    static func stderr(textOutput: Bool) -> Display {
        decide(stderrIsTerminal: Console.isTerminal, environment: Environment.variables, textOutput: textOutput)
    }

    /// For what goes to stdout (the plan): colour only when stdout is a capable terminal.
    static var stdout: Display {
        decide(stderrIsTerminal: Terminal.isTerminal(Terminal.standardOutput), environment: Environment.variables,
               textOutput: true)
    }

    static let red = "\u{1B}[31m", green = "\u{1B}[32m", yellow = "\u{1B}[33m", reset = "\u{1B}[0m"

    func paint(_ text: String, _ colour: String) -> String { self.colour ? colour + text + Self.reset : text }

    /// Plan text with `+` green, `~` yellow and `-` red at the start of a line (after its indentation).
    func paintPlan(_ text: String) -> String {
        guard colour else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.drop { $0 == " " }
            guard let mark = trimmed.first, trimmed.dropFirst().first == " " else { return String(line) }
            switch mark {
            case "+": return Self.green + line + Self.reset
            case "~": return Self.yellow + line + Self.reset
            case "-": return Self.red + line + Self.reset
            default: return String(line)
            }
        }.joined(separator: "\n")
    }
}

/// Shows an apply's progress: live lines for running steps on a terminal, one plain line per
/// event otherwise (logs and CI).
final class ProgressPrinter: Sendable {
    struct Running: Sendable {
        var step: String
        var since: ContinuousClock.Instant
        var doing: String
    }

    /// Everything drawn goes through this lock, so the ticker and step events never interleave.
    struct Screen: Sendable {
        var running: [Running] = []
        /// Screen rows of the live block currently drawn, to erase before writing anything else.
        var drawn = 0
        /// TerminalLoan's count when the block was drawn: after a loan the block is above what the
        /// borrower wrote, and stays there.
        var loans = 0
        /// Plain mode: the last repeated report printed per step (text before `: `) and when.
        var lastReport: [String: (topic: Substring, at: ContinuousClock.Instant)] = [:]
        /// Live mode: steps that did not run, told in one line at the end (as plan counts unchanged objects).
        var quiet = 0
    }

    /// Without a terminal, a step's repeated report on the same thing (copy progress) prints at most this often.
    static let plainRepeatInterval: Duration = .seconds(30)

    let display: Display
    var live: Bool { display.live }
    private let screen = Mutex(Screen())
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    init(display: Display) {
        self.display = display
        guard display.live else { return }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                self?.screen.withLock { Self.redraw(&$0) }
            }
        }
        ticker.withLock { $0 = task }
    }

    func handle(_ event: ProgressEvent) {
        screen.withLock { screen in
            var text: String?
            switch event {
            case .started(let step):
                screen.running.append(Running(step: step, since: .now, doing: "running"))
                if !live { text = "[\(step)] started" }
            case .waiting(let step, let what):
                if let i = screen.running.firstIndex(where: { $0.step == step }) { screen.running[i].doing = what }
                if !live, Self.plainShows(what, step: step, &screen) { text = "[\(step)] \(what)" }
            case .finished(let step, let outcome, let seconds):
                screen.running.removeAll { $0.step == step }
                screen.lastReport[step] = nil
                let time = NumberText.fixed(seconds, digits: 1) + "s"
                switch outcome {
                case .failed(let message): text = display.paint("[\(step)] failed after \(time): \(message)", Display.red)
                case .skipped, .notSelected:
                    if live { screen.quiet += 1 } else { text = Self.notRun(step, outcome) }
                case .interrupted(let how): text = "[\(step)] interrupted after \(time): not recorded, the re-run redoes it (\(how))"
                default: text = "[\(step)] \(outcome.word) (\(time))"
                }
            case .blocked(let step, let by):
                text = "[\(step)] blocked: needs \"\(by)\", which did not complete"
            }
            if live { Self.erase(&screen) }
            if let text { Console.err(text) }
            if live { Self.redraw(&screen) }
        }
    }

    /// Plain mode: a report on something new prints at once; the same report again (its text up
    /// to `: ` unchanged, as in copy progress) only after ``plainRepeatInterval``.
    private static func plainShows(_ what: String, step: String, _ screen: inout Screen) -> Bool {
        let topic = what.firstRange(of: ": ").map { what[..<$0.lowerBound] } ?? Substring(what)
        let now = ContinuousClock.now
        if let last = screen.lastReport[step], last.topic == topic, now - last.at < plainRepeatInterval { return false }
        screen.lastReport[step] = (topic, now)
        return true
    }

    /// A line between events (a retried request), above the live block.
    func note(_ line: String) {
        screen.withLock { screen in
            if live { Self.erase(&screen) }
            Console.err(line)
            if live { Self.redraw(&screen) }
        }
    }

    func finish() {
        ticker.withLock { $0?.cancel() }
        guard live else { return }
        screen.withLock { screen in
            Self.erase(&screen)
            if screen.quiet > 0 { Console.err("= \(screen.quiet) step\(screen.quiet == 1 ? "" : "s") not run (recorded and unchanged, or not selected)") }
            screen.quiet = 0
        }
    }

    /// The line of a step that did not run, saying why.
    static func notRun(_ step: String, _ outcome: StepOutcome) -> String {
        if case .notSelected(let reason) = outcome { return "[\(step)] \(reason)" }
        return "[\(step)] skipped (recorded, unchanged)"
    }

    private static func erase(_ screen: inout Screen) {
        let loan = TerminalLoan.current
        // Lent out, or lent since the block was drawn: the rows above the cursor are not the block's.
        if screen.drawn > 0, !loan.lent, loan.loans == screen.loans {
            StandardStream.error.write("\u{1B}[\(screen.drawn)F\u{1B}[J")
        }
        screen.drawn = 0
    }

    /// The live block's lines, each cut to fit `columns` so that every line is one screen row.
    static func liveLines(_ running: [Running], now: ContinuousClock.Instant, columns: Int) -> [String] {
        running.map { state in
            let head = "  … \(state.step) (\((now - state.since).components.seconds)s) "
            return fit(head + shortened(state.doing, room: max(columns - 1, 1) - head.count), columns: columns)
        }
    }

    /// What a step waits on, as `TOPIC: DETAIL` (`copying FROM to TO: 1.2 GiB of 40.0 GiB (3%), …`),
    /// made to fit `room` characters by shortening the topic, never the detail (the numbers): its
    /// paths to their last component (`…/faf-db`), then the topic left out.
    static func shortened(_ doing: String, room: Int) -> String {
        guard doing.count > room, let colon = doing.firstRange(of: ": ") else { return doing }
        let topic = doing[..<colon.lowerBound], detail = doing[colon.upperBound...]
        let shortPaths = topic.split(separator: " ", omittingEmptySubsequences: false).map { word -> Substring in
            guard word.hasPrefix("/"), let last = word.split(separator: "/").last, word.count > last.count + 2 else { return word }
            return "…/" + last
        }.joined(separator: " ")
        if shortPaths.count + 2 + detail.count <= room { return shortPaths + ": " + detail }
        return String(detail)
    }

    /// `line` shortened to at most `columns - 1` characters (the last column stays free, so no
    /// terminal wraps it), ending in `…` when cut.
    static func fit(_ line: String, columns: Int) -> String {
        let limit = max(columns - 1, 1)
        guard line.count > limit else { return line }
        return String(line.prefix(limit - 1)) + "…"
    }

    private static func redraw(_ screen: inout Screen) {
        erase(&screen)
        let loan = TerminalLoan.current
        guard !loan.lent else { return }
        screen.loans = loan.loans
        let lines = liveLines(screen.running, now: .now, columns: Terminal.columns(Terminal.standardError) ?? 80)
        guard !lines.isEmpty else { return }
        // Not through Console (the block is redrawn in place), but masked like everything printed.
        StandardStream.error.write(Masking.maskActive(lines.joined(separator: "\n") + "\n"))
        screen.drawn = lines.count
    }
}
