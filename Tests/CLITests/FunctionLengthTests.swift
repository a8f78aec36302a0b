import Foundation
import Testing
import TestSupport

/// The charter's rule "keep functions under 80 lines", held for every function, initializer,
/// subscript and closure-bodied property in Sources, so a long entry point cannot come back unseen.
@Suite struct FunctionLengthTests {
    /// Code the rule does not hold: generated files, the bundled upstream files k3s.install carries,
    /// and libyaml's event loop (one switch over the parser's events, read as one piece).
    static let exempt: [(path: String, name: String?)] = [
        ("*.generated.swift", nil),
        ("Sources/Steps/K3sInstall/Bundled/", nil),
        ("Sources/Document/YAMLReader.swift", "run"),
    ]

    static func isExempt(_ path: String, _ body: SourceBodies.Body) -> Bool {
        exempt.contains { rule in
            let matches = rule.path.hasPrefix("*") ? path.hasSuffix(rule.path.dropFirst()) : path.hasPrefix(rule.path)
            return matches && (rule.name == nil || rule.name == body.name)
        }
    }

    @Test func noFunctionInSourcesIsLongerThan80Lines() throws {
        let root = Paths.repository
        let files = try #require(FileManager.default.subpaths(atPath: root + "/Sources")).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(files.count > 100, "the sources were not found under \(root)/Sources")
        var long: [String] = []
        for file in files {
            let path = "Sources/" + file
            let text = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
            for body in SourceBodies.bodies(in: text) where body.lines > SourceBodies.limit && !Self.isExempt(path, body) {
                long.append("\(path):\(body.line): \(body.keyword) \(body.name) is \(body.lines) lines (at most \(SourceBodies.limit))")
            }
        }
        #expect(long.isEmpty, "split these (an exemption belongs in FunctionLengthTests.exempt):\n\(long.joined(separator: "\n"))")
    }

    /// The exemptions name code that exists: a renamed event loop must not leave a stale pass.
    @Test func eachNamedExemptionStillNamesALongFunction() throws {
        for rule in Self.exempt where rule.name != nil {
            let text = try String(contentsOfFile: Paths.repository + "/" + rule.path, encoding: .utf8)
            #expect(SourceBodies.bodies(in: text).contains { $0.name == rule.name && $0.lines > SourceBodies.limit },
                    "\(rule.path): no function \(rule.name!) over \(SourceBodies.limit) lines: drop the exemption")
        }
    }

    /// The scanner itself: braces in strings and comments do not count, a body's lines run from
    /// its declaration to its closing brace, and a declaration without a body is no body.
    @Test func theScannerMeasuresBodiesAndIgnoresBracesInStringsAndComments() {
        let filler = (0..<79).map { _ in "    x += \"}\\(f(\"{\"))\" // }\n" }.joined()
        let text = """
            protocol P {
                func required()
                var size: Int { get }
            }
            struct S {
                /* { nested /* } */ still a comment { */
                func long() {
            \(filler)}
                init(a: Int) { let s = #"a "} raw"#; _ = s }
                var computed: Int {
                    1
                }
                let stored = 2
                static let table: [Int] = {
                    [1, 2]
                }()
            }
            """
        let bodies = SourceBodies.bodies(in: text)
        let byName = Dictionary(bodies.map { ($0.name, $0) }, uniquingKeysWith: { (first: SourceBodies.Body, _: SourceBodies.Body) in first })
        #expect(byName["long"]?.lines == 81)
        #expect(byName["long"]?.line == 7)
        #expect(byName["init"]?.lines == 1)
        #expect(byName["computed"]?.lines == 3)
        #expect(byName["table"]?.lines == 3)
        #expect(byName["size"]?.lines == 1)
        #expect(byName["required"] == nil)
        #expect(byName["stored"] == nil)
    }
}

/// Finds the bodies of declarations in Swift source by counting braces outside comments and
/// string literals: enough for the project's own code, not a Swift parser.
enum SourceBodies {
    static let limit = 80

    struct Body: Equatable {
        var keyword: String
        var name: String
        /// The line of the declaration's keyword.
        var line: Int
        /// From the keyword's line to the closing brace's, both included.
        var lines: Int
    }

    static let keywords: Set<String> = ["func", "init", "deinit", "subscript", "var", "let"]
    /// Words that start the next declaration: a body-less declaration ends before them.
    static let nextDeclaration: Set<String> = [
        "func", "var", "let", "init", "deinit", "subscript", "case", "static", "public", "private", "internal", "fileprivate",
        "package", "struct", "enum", "class", "actor", "protocol", "extension", "mutating", "nonisolated", "typealias", "associatedtype",
    ]

    static func bodies(in text: String) -> [Body] {
        let code = blanked(Array(text.utf8))
        var lineStarts = [0]
        for (i, c) in code.enumerated() where c == UInt8(ascii: "\n") { lineStarts.append(i + 1) }
        func line(_ index: Int) -> Int {
            var low = 0, high = lineStarts.count - 1
            while low < high { let mid = (low + high + 1) / 2; if lineStarts[mid] <= index { low = mid } else { high = mid - 1 } }
            return low + 1
        }
        var found: [Body] = []
        var i = 0
        while i < code.count {
            guard isWordByte(code[i]), i == 0 || !isWordByte(code[i - 1]) else { i += 1; continue }
            var end = i
            while end < code.count, isWordByte(code[end]) { end += 1 }
            let word = String(decoding: code[i..<end], as: UTF8.self)
            defer { i = end }
            guard keywords.contains(word), i == 0 || code[i - 1] != UInt8(ascii: ".") else { continue }
            guard let open = bodyStart(code, after: end, property: word == "var" || word == "let") else { continue }
            let head = String(decoding: code[end..<open], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let name = word == "init" || word == "deinit" || word == "subscript" ? word : String(head.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            if word == "var" || word == "let" {
                // A computed property (`name: Type {`) or one initialized by a closure (`name = {`);
                // not `if let x {`, `guard let x else {`, `let x = f {`.
                let typed = head.contains(":") && !head.contains("=")
                let closure = head.hasSuffix("=")
                guard !name.isEmpty, typed || closure else { continue }
            }
            guard let close = matchingBrace(code, open) else { continue }
            found.append(Body(keyword: word, name: name, line: line(i), lines: line(close) - line(i) + 1))
        }
        return found
    }

    static func isWordByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
    }

    /// The `{` that opens the declaration's body, or nil when it has none.
    static func bodyStart(_ code: [UInt8], after start: Int, property: Bool) -> Int? {
        var depth = 0, j = start
        while j < code.count {
            switch code[j] {
            case UInt8(ascii: "("), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: "{") where depth == 0: return j
            case UInt8(ascii: "}") where depth == 0, UInt8(ascii: ";") where depth == 0: return nil
            case UInt8(ascii: "\n") where depth == 0:
                var k = j + 1
                while k < code.count, code[k] == UInt8(ascii: " ") || code[k] == UInt8(ascii: "\t") || code[k] == UInt8(ascii: "\n") { k += 1 }
                if property { if k < code.count, code[k] != UInt8(ascii: "{") { return nil } }
                if code[k...].first == UInt8(ascii: "@") || code[k...].first == UInt8(ascii: "#") { return nil }
                var w = k
                while w < code.count, isWordByte(code[w]) { w += 1 }
                if nextDeclaration.contains(String(decoding: code[k..<w], as: UTF8.self)) { return nil }
            default: break
            }
            j += 1
        }
        return nil
    }

    static func matchingBrace(_ code: [UInt8], _ open: Int) -> Int? {
        var depth = 0
        for k in open..<code.count {
            if code[k] == UInt8(ascii: "{") { depth += 1 }
            if code[k] == UInt8(ascii: "}") { depth -= 1; if depth == 0 { return k } }
        }
        return nil
    }

    /// The source with comments and string literals (interpolations included) replaced by spaces,
    /// newlines kept, so the braces left are the code's.
    static func blanked(_ source: [UInt8]) -> [UInt8] {
        var out = source
        func blank(_ range: Range<Int>) { for k in range where out[k] != UInt8(ascii: "\n") { out[k] = UInt8(ascii: " ") } }
        var i = 0
        while i < source.count {
            if let end = commentEnd(source, i) ?? stringEnd(source, i) { blank(i..<end); i = end } else { i += 1 }
        }
        return out
    }

    /// The end of a `//` or (nested) `/* */` comment starting at `i`.
    static func commentEnd(_ s: [UInt8], _ i: Int) -> Int? {
        guard i + 1 < s.count, s[i] == UInt8(ascii: "/") else { return nil }
        if s[i + 1] == UInt8(ascii: "/") { return s[i...].firstIndex(of: UInt8(ascii: "\n")) ?? s.count }
        guard s[i + 1] == UInt8(ascii: "*") else { return nil }
        var depth = 0, j = i
        while j + 1 < s.count {
            if s[j] == UInt8(ascii: "/"), s[j + 1] == UInt8(ascii: "*") { depth += 1; j += 2; continue }
            if s[j] == UInt8(ascii: "*"), s[j + 1] == UInt8(ascii: "/") { depth -= 1; j += 2; if depth == 0 { return j }; continue }
            j += 1
        }
        return s.count
    }

    /// The end of a string literal (`"…"`, `"""…"""`, raw `#"…"#`) starting at `i`, past the
    /// literals inside its interpolations.
    static func stringEnd(_ s: [UInt8], _ i: Int) -> Int? {
        var j = i, hashes = 0
        while j < s.count, s[j] == UInt8(ascii: "#") { hashes += 1; j += 1 }
        guard j < s.count, s[j] == UInt8(ascii: "\"") else { return nil }
        let quote = UInt8(ascii: "\"")
        let triple = j + 2 < s.count && s[j + 1] == quote && s[j + 2] == quote
        j += triple ? 3 : 1
        func hashesFollow(_ k: Int) -> Bool { k + hashes <= s.count && s[k..<(k + hashes)].allSatisfy { $0 == UInt8(ascii: "#") } }
        while j < s.count {
            if s[j] == UInt8(ascii: "\\"), hashesFollow(j + 1) {
                let k = j + 1 + hashes
                if k < s.count, s[k] == UInt8(ascii: "(") { j = interpolationEnd(s, k + 1) } else { j = k + 1 }
                continue
            }
            if s[j] == quote {
                let closes = triple ? j + 2 < s.count && s[j + 1] == quote && s[j + 2] == quote : true
                let after = j + (triple ? 3 : 1)
                if closes, hashesFollow(after) { return after + hashes }
            }
            if !triple, s[j] == UInt8(ascii: "\n") { return j }
            j += 1
        }
        return s.count
    }

    /// Past the `)` that closes an interpolation whose code starts at `i`.
    static func interpolationEnd(_ s: [UInt8], _ i: Int) -> Int {
        var depth = 1, j = i
        while j < s.count {
            if let end = stringEnd(s, j) { j = end; continue }
            if s[j] == UInt8(ascii: "(") { depth += 1 }
            if s[j] == UInt8(ascii: ")") { depth -= 1; if depth == 0 { return j + 1 } }
            j += 1
        }
        return s.count
    }
}
