import Engine
import Foundation
import Synchronization

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
        /// Lines of the live block currently on screen, to erase before writing anything else.
        var drawn = 0
    }

    let live: Bool
    private let screen = Mutex(Screen())
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    init(live: Bool) {
        self.live = live
        guard live else { return }
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
                if !live { text = "[\(step)] \(what)" }
            case .finished(let step, let outcome, let seconds):
                screen.running.removeAll { $0.step == step }
                let time = String(format: "%.1fs", seconds)
                switch outcome {
                case .failed(let message): text = "[\(step)] failed after \(time): \(message)"
                case .skipped: text = "[\(step)] skipped (recorded, unchanged)"
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

    func finish() {
        ticker.withLock { $0?.cancel() }
        if live { screen.withLock { Self.erase(&$0) } }
    }

    private static func erase(_ screen: inout Screen) {
        if screen.drawn > 0 { FileHandle.standardError.write(Data("\u{1B}[\(screen.drawn)F\u{1B}[J".utf8)) }
        screen.drawn = 0
    }

    private static func redraw(_ screen: inout Screen) {
        erase(&screen)
        let now = ContinuousClock.now
        let lines = screen.running.map { state in
            "  … \(state.step) (\((now - state.since).components.seconds)s) \(state.doing)"
        }
        guard !lines.isEmpty else { return }
        // Not through Console (the block is redrawn in place), but masked like everything printed.
        FileHandle.standardError.write(Data(Masking.maskActive(lines.joined(separator: "\n") + "\n").utf8))
        screen.drawn = lines.count
    }
}
