/// A place in a source file: 1-based line and column, as editors and compilers print them.
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (a: Mark, b: Mark) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

/// One finding about an input file, printed as `file:line:col: error: message`.
public struct Diagnostic: Sendable, Hashable, Error, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning, note }

    public var mark: Mark?
    public var severity: Severity
    public var message: String

    public init(_ severity: Severity = .error, at mark: Mark?, _ message: String) {
        self.mark = mark
        self.severity = severity
        self.message = message
    }

    public static func error(_ message: String, at mark: Mark?) -> Diagnostic { Diagnostic(.error, at: mark, message) }
    public static func warning(_ message: String, at mark: Mark?) -> Diagnostic { Diagnostic(.warning, at: mark, message) }

    public var description: String {
        if let mark { return "\(mark): \(severity.rawValue): \(message)" }
        return "\(severity.rawValue): \(message)"
    }
}

/// Several diagnostics reported together; thrown when an input is rejected.
public struct Diagnostics: Error, Sendable, CustomStringConvertible {
    public var items: [Diagnostic]
    public init(_ items: [Diagnostic]) { self.items = items }
    public var errors: [Diagnostic] { items.filter { $0.severity == .error } }
    public var description: String { items.map(\.description).joined(separator: "\n") }

    /// The findings as printed: the first `limit` lines, then `… and N more` for the rest.
    public static func printed(_ items: [Diagnostic], limit: Int = Limits.printedDiagnostics) -> String {
        var lines = items.prefix(limit).map(\.description)
        if items.count > limit { lines.append("… and \(grouped(items.count - limit)) more") }
        return lines.joined(separator: "\n")
    }

    /// 19900 as `19,900`.
    static func grouped(_ number: Int) -> String {
        var digits = Array(String(number))
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: index)
            index -= 3
        }
        return String(digits)
    }
}

/// "Did you mean" hints for many misses against one list of candidates, at a cost linear in the
/// misses: each lookup compares against every candidate, so only the first
/// ``Limits/printedDiagnostics`` misses get a hint (the findings after them are not printed).
/// Without the bound, a playbook whose every step needs a missing step costs steps² comparisons.
public struct Suggester {
    private let candidates: [String]
    private var remaining: Int

    public init(_ candidates: [String], budget: Int = Limits.printedDiagnostics) {
        self.candidates = candidates
        remaining = budget
    }

    /// ` (did you mean "x"?)`, or "" when nothing is close or the budget is spent.
    public mutating func hint(for word: String) -> String {
        guard remaining > 0 else { return "" }
        remaining -= 1
        return suggestion(for: word, among: candidates).map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}

/// Closest candidate by edit distance, for "did you mean" hints; nil when nothing is close.
public func suggestion(for word: String, among candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    for candidate in candidates {
        let d = editDistance(word, candidate)
        if d <= max(2, word.count / 3), d < (best?.1 ?? .max) { best = (candidate, d) }
    }
    return best?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.utf8), b = Array(b.utf8)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
