import Document

/// `${{ vars.name }}` and `${{ secrets.path.to.value }}` inside any string.
///
/// The `${{ … }}` form was chosen because none of the languages a playbook carries uses it:
/// Traefik rules use backticks and `$1`, Helm templates use `{{ }}` without a dollar, shells use
/// `${VAR}`. Writing `$${{` produces a literal `${{`.
public enum Interpolation {
    public enum Part: Sendable, Equatable {
        case text(String)
        case reference(scope: String, path: [String], offset: Int)
    }

    public struct SyntaxError: Error, Sendable {
        public var message: String
        public var offset: Int
    }

    /// Splits a string into literal text and references; `offset` is the character offset of `${{`.
    public static func parse(_ text: String) -> Result<[Part], SyntaxError> {
        guard hasMarker(text) else { return .success([.text(text)]) }
        var parts: [Part] = []
        var literal = ""
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            if matches(chars, i, "$${{") {
                literal += "${{"
                i += 4
                continue
            }
            if matches(chars, i, "${{") {
                let start = i
                var j = i + 3
                while j + 1 < chars.count, !(chars[j] == "}" && chars[j + 1] == "}") { j += 1 }
                guard j + 1 < chars.count else {
                    return .failure(SyntaxError(message: "unterminated \"${{\" (write \"$${{\" for a literal \"${{\")", offset: start))
                }
                let expression = String(chars[(i + 3)..<j]).trimmingSpaces()
                let words = expression.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard words.count >= 2, ["vars", "secrets"].contains(words[0]),
                      words.dropFirst().allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } })
                else {
                    return .failure(SyntaxError(
                        message: "\"${{ \(expression) }}\" is not a reference; use ${{ vars.NAME }} or ${{ secrets.PATH }} (write \"$${{\" for a literal \"${{\")",
                        offset: start))
                }
                if !literal.isEmpty { parts.append(.text(literal)); literal = "" }
                parts.append(.reference(scope: words[0], path: Array(words.dropFirst()), offset: start))
                i = j + 2
                continue
            }
            literal.append(chars[i])
            i += 1
        }
        if !literal.isEmpty || parts.isEmpty { parts.append(.text(literal)) }
        return .success(parts)
    }

    /// Whether `text` holds `${{`: every string of a playbook is asked, so a byte scan rather
    /// than the standard library's generic `contains` (3% of `validate` on faf.yaml).
    static func hasMarker(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { hasMarker(bytes: $0) }
    }

    private static func hasMarker(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 3 else { return false }
        for i in 0..<(bytes.count - 2) where bytes[i] == UInt8(ascii: "$") && bytes[i + 1] == UInt8(ascii: "{") && bytes[i + 2] == UInt8(ascii: "{") {
            return true
        }
        return false
    }

    private static func matches(_ chars: [Character], _ at: Int, _ word: String) -> Bool {
        let w = Array(word)
        guard at + w.count <= chars.count else { return false }
        for k in 0..<w.count where chars[at + k] != w[k] { return false }
        return true
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
