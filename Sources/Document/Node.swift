/// A YAML node with the position it was read from, so every later error can point at it.
public struct Node: Sendable {
    public enum ScalarStyle: Sendable { case plain, singleQuoted, doubleQuoted, literal, folded }

    public enum Content: Sendable {
        case scalar(String, ScalarStyle, tag: String?)
        case sequence([Node])
        case mapping([(key: Node, value: Node)])
    }

    public var content: Content
    public var mark: Mark

    public init(_ content: Content, at mark: Mark) {
        self.content = content
        self.mark = mark
    }

    /// The scalar's text, whatever its resolved type.
    public var scalarText: String? {
        if case .scalar(let s, _, _) = content { return s }
        return nil
    }

    public var sequence: [Node]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    public var mapping: [(key: Node, value: Node)]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value under a scalar key of a mapping.
    public subscript(key: String) -> Node? {
        mapping?.first { $0.key.scalarText == key }?.value
    }

    /// What kind of node this is, for error messages.
    public var kindName: String {
        switch content {
        case .scalar: return resolved.typeName
        case .sequence: return "array"
        case .mapping: return "object"
        }
    }

    /// The JSON value, resolving plain scalars with the YAML 1.2 core schema
    /// (`yes`/`no`/`on`/`off` stay strings; only `true`/`false` are booleans).
    public var resolved: Value {
        switch content {
        case .scalar(let text, let style, let tag):
            return Node.resolveScalar(text, style: style, tag: tag)
        case .sequence(let items):
            return .array(items.map(\.resolved))
        case .mapping(let pairs):
            var object = Object()
            for pair in pairs { object[pair.key.scalarText ?? JSON.encode(pair.key.resolved)] = pair.value.resolved }
            return .object(object)
        }
    }

    public static func resolveScalar(_ text: String, style: ScalarStyle, tag: String?) -> Value {
        if let tag {
            switch tag {
            case "tag:yaml.org,2002:str", "!": return .string(text)
            case "tag:yaml.org,2002:int": if let i = parseInt(text) { return .int(i) }
            case "tag:yaml.org,2002:float": if let d = Double(text) { return .double(d) }
            case "tag:yaml.org,2002:bool": if let b = parseBool(text) { return .bool(b) }
            case "tag:yaml.org,2002:null": return .null
            default: break
            }
        }
        guard style == .plain else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        default: break
        }
        if let b = parseBool(text) { return .bool(b) }
        if let i = parseInt(text) { return .int(i) }
        if let d = parseFloat(text) { return .double(d) }
        return .string(text)
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    static func parseInt(_ text: String) -> Int? {
        let utf8 = Array(text.utf8)
        guard let first = utf8.first else { return nil }
        if text.hasPrefix("0x") { return Int(text.dropFirst(2), radix: 16) }
        if text.hasPrefix("0o") { return Int(text.dropFirst(2), radix: 8) }
        let digits = (first == UInt8(ascii: "-") || first == UInt8(ascii: "+")) ? utf8.dropFirst() : utf8[...]
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }

    static func parseFloat(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        // Core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
        var sawDigit = false
        var sawDot = false
        var sawExp = false
        var previous: UInt8 = 0
        for (index, c) in text.utf8.enumerated() {
            switch c {
            case 0x30...0x39: sawDigit = true
            case UInt8(ascii: "."): if sawDot || sawExp { return nil }; sawDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): if sawExp || !sawDigit { return nil }; sawExp = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                if !(index == 0 || previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E")) { return nil }
            default: return nil
            }
            previous = c
        }
        guard sawDigit, sawDot || sawExp else { return nil }
        return Double(text)
    }
}
