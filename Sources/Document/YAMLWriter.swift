extension YAML {
    /// Block-style YAML for a value: what plan output and written config files look like.
    ///
    /// Strings that a YAML 1.1 or 1.2 reader would take for anything but a string are quoted.
    public static func emit(_ value: Value) -> String {
        var out = ""
        emit(value, into: &out, indent: 0, context: .top)
        if !out.hasSuffix("\n") { out += "\n" }
        return out
    }

    /// The YAML of a value with its secrets written in, as one secret: a file a program reads
    /// (Helm values) that only ever travels inside a Secret.
    public static func emitSecret(_ value: Value) -> Sensitive {
        func revealing(_ value: Value) -> Value {
            switch value {
            case .sensitive(let secret): return .string(secret.revealed)
            case .object(let object): return .object(Object(object.map { ($0.key, revealing($0.value)) }))
            case .array(let items): return .array(items.map(revealing))
            default: return value
            }
        }
        return Sensitive(emit(revealing(value)))
    }

    enum Context { case top, mappingValue, sequenceItem }

    static func emit(_ value: Value, into out: inout String, indent: Int, context: Context) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let object) where !object.isEmpty:
            var first = true
            for (key, child) in object {
                if !(first && context == .sequenceItem) {
                    if context != .top || !first { out += "\n" }
                    out += pad
                }
                first = false
                out += scalar(key) + ":"
                emitChild(child, into: &out, indent: indent)
            }
        case .array(let items) where !items.isEmpty:
            var first = true
            for item in items {
                if !(first && context == .sequenceItem) {
                    if context != .top || !first { out += "\n" }
                    out += pad
                }
                first = false
                out += "- "
                emit(item, into: &out, indent: indent + 2, context: .sequenceItem)
            }
        default:
            out += inline(value)
        }
    }

    static func emitChild(_ child: Value, into out: inout String, indent: Int) {
        switch child {
        case .object(let o) where !o.isEmpty:
            emit(child, into: &out, indent: indent + 2, context: .mappingValue)
        case .array(let a) where !a.isEmpty:
            // Sequences under a key are indented by two, as kubectl prints them.
            emit(child, into: &out, indent: indent + 2, context: .mappingValue)
        case .string(let s) where s.contains("\n") && isLiteralSafe(s):
            out += " |" + (s.hasSuffix("\n") ? "" : "-")
            let body = s.hasSuffix("\n") ? String(s.dropLast()) : s
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                out += "\n" + (line.isEmpty ? "" : String(repeating: " ", count: indent + 2) + line)
            }
        default:
            out += " " + inline(child)
        }
    }

    static func isLiteralSafe(_ s: String) -> Bool {
        !s.hasPrefix(" ") && !s.hasSuffix("\n\n") && !s.contains("\r") && !s.contains("\t") && !s.contains(" \n")
    }

    static func inline(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int, .double: return JSON.encode(value)
        case .string(let s): return scalar(s)
        case .sensitive(let secret): return scalar(secret.description)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    /// A string as a YAML scalar: plain when it reads back as the same string, else double-quoted.
    public static func scalar(_ s: String) -> String {
        needsQuotes(s) ? JSON.encode(.string(s)) : s
    }

    static let ambiguousWords: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
        "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~", "",
    ]

    static func needsQuotes(_ s: String) -> Bool {
        if ambiguousWords.contains(s) { return true }
        if case .string = Node.resolveScalar(s, style: .plain, tag: nil) {} else { return true }
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return true }
        if " -?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) && !(first == "-" && s.count > 1 && s.dropFirst().first != " ") {
            return true
        }
        if first == "-" || first == "." { if Double(s) != nil { return true } }
        if last == " " || last == ":" { return true }
        if s.contains(": ") || s.contains(" #") || s.contains("\n") || s.contains("\t") { return true }
        for u in s.unicodeScalars where u.value < 0x20 || u.value == 0x7F { return true }
        // Octal and sexagesimal forms that YAML 1.1 readers would turn into numbers.
        if s.first?.isNumber == true, s.allSatisfy({ $0.isNumber || $0 == ":" || $0 == "_" || $0 == "." }) { return true }
        return false
    }
}
