import Document
import FoundationEssentials
import Logging
import Platform
import Synchronization

/// Where the CLI writes: results to stdout, diagnostics and progress to stderr.
enum Console {
    /// Every line goes through the secret mask (``Masking/activate(_:)``), whatever printed it.
    static func out(_ text: String) {
        let text = Masking.maskActive(text)
        StandardStream.output.write(text.hasSuffix("\n") ? text : text + "\n")
    }

    static func err(_ text: String) {
        let text = Masking.maskActive(text)
        recording.withLock { $0?.append(text.hasSuffix("\n") ? String(text.dropLast()) : text) }
        StandardStream.error.write(text.hasSuffix("\n") ? text : text + "\n")
    }

    static func report(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        err(Diagnostics.printed(diagnostics))
        let errors = diagnostics.filter { $0.severity == .error }.count
        if errors > 0 { err("\(errors) error\(errors == 1 ? "" : "s") found; nothing was changed") }
    }

    private static let recording = Mutex<[String]?>(nil)

    /// From now on, keep what ``err(_:)`` prints (masked), for a JSON document of the failure.
    static func startRecordingErrors() { recording.withLock { $0 = [] } }

    /// What ``err(_:)`` printed since ``startRecordingErrors()``; stops recording.
    static func stopRecordingErrors() -> [String] {
        recording.withLock { lines in
            defer { lines = nil }
            return lines ?? []
        }
    }

    /// A run that ended in an error: the message on stderr and, with `--output json`, a JSON
    /// document holding it on stdout (so a script reading stdout always gets a document).
    static func fail(_ message: String, playbook: String, json: Bool) {
        err(errorLine(message))
        if json {
            out(JSON.encode(["playbook": .string(playbook), "error": .string(message)], options: .pretty))
        }
    }

    /// One prefix for every error: `error: message`, or a positioned `FILE:LINE:COL: error: message`
    /// as it is (never `error: FILE:2:1: error: …`).
    static func errorLine(_ message: String) -> String {
        if message.hasPrefix("error: ") || isPositioned(message) { return message }
        return "error: " + message
    }

    /// Whether the text starts as a positioned diagnostic does: `FILE:LINE:COL: error: ` or `FILE: error: `.
    static func isPositioned(_ text: String) -> Bool {
        guard let range = text.firstRange(of: ": error: ") else { return false }
        return !text[..<range.lowerBound].contains(" ")
    }

    /// The same for an error: file errors name the file and the operation, not Foundation's dump.
    static func fail(_ error: any Error, playbook: String, json: Bool) {
        fail(SystemError.message(of: error), playbook: playbook, json: json)
    }

    static var isTerminal: Bool { Terminal.isTerminal(Terminal.standardError) }
    /// Whether a person can answer a question: stdin and stderr are terminals.
    static var inputIsTerminal: Bool { Terminal.isTerminal(Terminal.standardInput) && isTerminal }

    /// Asks on stderr and reads one line from stdin; true only for `yes`.
    static func confirm(_ question: String) -> Bool {
        StandardStream.error.write(question)
        return readLine()?.trimming(.whitespace) == "yes"
    }
}

/// `--verbose` log lines go through ``Console`` too, so the secret mask covers them like every other line.
struct ConsoleLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let label: String

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let extra = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        Console.err("\(Timestamp.now()) \(event.level) \(label):\(extra) \(event.message)")
    }

    private static let installed = Mutex(false)

    /// Routes every logger of this process through ``Console`` (once; later calls do nothing).
    static func install() {
        let first = installed.withLock { done in
            defer { done = true }
            return !done
        }
        if first { LoggingSystem.bootstrap { ConsoleLogHandler(label: $0) } }
    }
}
