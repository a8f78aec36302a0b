import Platform

/// docker-compose's env file format: `KEY=VALUE` lines, `#` comments, blank lines, optional quotes.
enum EnvFile {
    struct Entry {
        var line: Int
        var name: String
        var value: String
        var problem: String?
    }

    static func parse(_ text: String) -> [Entry] {
        var entries: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
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
            } else if let comment = value.firstRange(of: " #") ?? value.firstRange(of: "\t#") {
                // An unquoted value's comment starts at a '#' after whitespace, as compose reads it.
                value = value[..<comment.lowerBound].trimming(.whitespace)
            }
            entries.append(Entry(line: index + 1, name: name, value: value))
        }
        return entries
    }
}
