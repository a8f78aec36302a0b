import Document
import Platform

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
    ///
    /// It walks UTF-8 bytes (every marker is ASCII, so a multi-byte character is never split);
    /// an array of Characters cost `validate` of faf.yaml a tenth of its time.
    public static func parse(_ text: String) -> Result<[Part], SyntaxError> {
        guard hasMarker(text) else { return .success([.text(text)]) }
        let bytes = Array(text.utf8)
        // Character offsets only where one is reported: a reference, or an error.
        func offset(_ byte: Int) -> Int { String(decoding: bytes[..<byte], as: UTF8.self).count }
        var parts: [Part] = []
        var literal: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if matches(bytes, i, "$${{") {
                literal += Array("${{".utf8)
                i += 4
                continue
            }
            if matches(bytes, i, "${{") {
                let start = i
                var j = i + 3
                while j + 1 < bytes.count, !(bytes[j] == UInt8(ascii: "}") && bytes[j + 1] == UInt8(ascii: "}")) { j += 1 }
                guard j + 1 < bytes.count else {
                    return .failure(SyntaxError(message: "unterminated \"${{\" (write \"$${{\" for a literal \"${{\")", offset: offset(start)))
                }
                let expression = String(decoding: bytes[(i + 3)..<j], as: UTF8.self).trimmingSpaces()
                let words = expression.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard words.count >= 2, ["vars", "secrets"].contains(words[0]),
                      words.dropFirst().allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } })
                else {
                    return .failure(SyntaxError(
                        message: "\"${{ \(expression) }}\" is not a reference; use ${{ vars.NAME }} or ${{ secrets.PATH }} (write \"$${{\" for a literal \"${{\")",
                        offset: offset(start)))
                }
                if !literal.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))); literal = [] }
                parts.append(.reference(scope: words[0], path: Array(words.dropFirst()), offset: offset(start)))
                i = j + 2
                continue
            }
            literal.append(bytes[i])
            i += 1
        }
        if !literal.isEmpty || parts.isEmpty { parts.append(.text(String(decoding: literal, as: UTF8.self))) }
        return .success(parts)
    }

    /// Whether `text` holds `${{`: every string of a playbook is asked, so a byte search rather
    /// than the standard library's generic `contains` (3% of `validate` on faf.yaml).
    static func hasMarker(_ text: String) -> Bool { ByteSearch.contains("${{", in: text) }

    private static func matches(_ bytes: [UInt8], _ at: Int, _ word: StaticString) -> Bool {
        guard at + word.utf8CodeUnitCount <= bytes.count else { return false }
        for k in 0..<word.utf8CodeUnitCount where bytes[at + k] != word.utf8Start[k] { return false }
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
