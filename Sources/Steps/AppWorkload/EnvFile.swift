import Platform

/// docker-compose's env file format: `KEY=VALUE` lines, `#` comments, blank lines, optional quotes,
/// optional `export `. The one reader of env files: workloads' `envFiles` and `bootstrap import compose`.
public enum EnvFile {
    /// One `KEY=VALUE` line (1-based), or a line that is not one (`problem`).
    public struct Entry: Sendable {
        public var line: Int
        public var name: String
        public var value: String
        public var problem: String?
    }

    /// The file's lines as ``parse(_:)`` numbers them. Split by byte: a Character split is slow,
    /// and never splits "\r\n" (one Character); a line keeps its "\r".
    public static func lines(_ text: String) -> [String] {
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    public static func parse(_ text: String) -> [Entry] {
        var entries: [Entry] = []
        for (index, raw) in lines(text).enumerated() {
            var line = raw.trimming(.whitespace)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let equals = line.firstIndex(of: "=") else {
                entries.append(Entry(line: index + 1, name: line, value: "", problem: "\"\(line)\" is not KEY=VALUE"))
                continue
            }
            let name = line[..<equals].trimming(.whitespace)
            var value = line[line.index(after: equals)...].trimming(.whitespace)
            if let quote = value.first, quote == "\"" || quote == "'", value.count >= 2, let end = value.dropFirst().firstIndex(of: quote) {
                value = String(value[value.index(after: value.startIndex)..<end])
            } else if let comment = commentStart(value) {
                // An unquoted value's comment starts at a '#' after whitespace, as compose reads it.
                value = String(decoding: value.utf8[..<comment], as: UTF8.self).trimming(.whitespace)
            }
            entries.append(Entry(line: index + 1, name: name, value: value))
        }
        return entries
    }

    /// Where a space or tab followed by `#` starts, by UTF-8 index (both are ASCII; the standard
    /// library's `firstRange(of:)` is generic string processing, slow on every env-file line).
    static func commentStart(_ value: String) -> String.UTF8View.Index? {
        let utf8 = value.utf8
        var previous: UInt8 = 0
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "#"), previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t") { return utf8.index(before: index) }
            previous = byte
            index = utf8.index(after: index)
        }
        return nil
    }
}
