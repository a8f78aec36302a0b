import Document
import Foundation

/// Where the CLI writes: results to stdout, diagnostics and progress to stderr.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func report(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        err(diagnostics.map(\.description).joined(separator: "\n"))
        let errors = diagnostics.filter { $0.severity == .error }.count
        if errors > 0 { err("\(errors) error\(errors == 1 ? "" : "s") found; nothing was changed") }
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    /// Whether a person can answer a question: stdin and stderr are terminals.
    static var inputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 && isTerminal }

    /// Asks on stderr and reads one line from stdin; true only for `yes`.
    static func confirm(_ question: String) -> Bool {
        FileHandle.standardError.write(Data(question.utf8))
        return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
    }
}
