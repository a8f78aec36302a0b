import Engine
import Foundation
import Synchronization

/// Shows an apply's progress: live lines for running steps on a terminal, one plain line per
/// event otherwise (logs and CI).
final class ProgressPrinter: Sendable {
    struct Running { var since: ContinuousClock.Instant; var doing: String }

    let live: Bool
    private let running = Mutex<[(String, Running)]>([])
    private let drawn = Mutex<Int>(0)
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    init(live: Bool) {
        self.live = live
        guard live else { return }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                self?.redraw()
            }
        }
        ticker.withLock { $0 = task }
    }

    func handle(_ event: ProgressEvent) {
        switch event {
        case .started(let step):
            running.withLock { $0.append((step, Running(since: .now, doing: "running"))) }
            if !live { line("[\(step)] started") }
        case .waiting(let step, let what):
            running.withLock { list in
                if let i = list.firstIndex(where: { $0.0 == step }) { list[i].1.doing = what }
            }
            if !live { line("[\(step)] \(what)") }
        case .finished(let step, let outcome, let seconds):
            running.withLock { $0.removeAll { $0.0 == step } }
            let time = String(format: "%.1fs", seconds)
            switch outcome {
            case .failed(let message): line("[\(step)] failed after \(time): \(message)")
            case .skipped: line("[\(step)] skipped (recorded, unchanged)")
            default: line("[\(step)] \(outcome.word) (\(time))")
            }
        case .blocked(let step, let by):
            line("[\(step)] blocked: needs \"\(by)\", which did not complete")
        case .note(let text):
            line(text)
        }
        if live { redraw() }
    }

    func finish() {
        ticker.withLock { $0?.cancel() }
        if live { clearLive() }
    }

    /// Writes a permanent line above the live block.
    private func line(_ text: String) {
        if live { clearLive() }
        Console.err(text)
    }

    private func clearLive() {
        drawn.withLock { count in
            if count > 0 { FileHandle.standardError.write(Data("\u{1B}[\(count)F\u{1B}[J".utf8)) }
            count = 0
        }
    }

    private func redraw() {
        clearLive()
        let now = ContinuousClock.now
        let lines = running.withLock { list in
            list.map { step, state -> String in
                let elapsed = now - state.since
                return String(format: "  … %@ (%llds) %@", step, elapsed.components.seconds, state.doing)
            }
        }
        guard !lines.isEmpty else { return }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        drawn.withLock { $0 = lines.count }
    }
}
