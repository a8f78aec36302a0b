/// A JSON-shaped value: what Kubernetes objects, step parameters and plan output are made of.
///
/// Objects keep their keys in insertion order so that output is stable and reads the way it was
/// written; equality ignores that order, as JSON does.
public enum Value: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([Value])
    case object(Object)
    /// A string that came from the secrets file: it prints as `(sensitive)` everywhere except on
    /// the wire to the API server (``JSON/Options/revealSecrets``).
    case sensitive(Sensitive)

    public subscript(key: String) -> Value? {
        get { if case .object(let o) = self { return o[key] } else { return nil } }
        set {
            guard case .object(var o) = self else { return }
            o[key] = newValue
            self = .object(o)
        }
    }

    /// Follows a path of object keys, returning nil when any step is missing.
    public subscript(path path: [String]) -> Value? {
        var current: Value? = self
        for key in path { current = current?[key] }
        return current
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    /// How many collections nest in this value (0 for a scalar). Values come from the bounded
    /// readers (``Limits/maxDepth``), so the recursion stays shallow.
    public var nestingDepth: Int {
        switch self {
        case .array(let items): return 1 + (items.map(\.nestingDepth).max() ?? 0)
        case .object(let object): return 1 + (object.values.map(\.nestingDepth).max() ?? 0)
        default: return 0
        }
    }

    public var isSensitive: Bool { if case .sensitive = self { return true } else { return false } }
    /// True when this value or anything inside it is sensitive.
    public var containsSensitive: Bool {
        switch self {
        case .sensitive: return true
        case .array(let a): return a.contains { $0.containsSensitive }
        case .object(let o): return o.values.contains { $0.containsSensitive }
        default: return false
        }
    }
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [Value]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: Object? { if case .object(let o) = self { return o } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The name of this value's JSON type, for error messages ("expected string, found array").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string, .sensitive: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) { self = .object(Object(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

/// An insertion-ordered string-keyed map with O(1) lookup.
public struct Object: Sendable, Equatable, Sequence {
    public private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    public init() {}
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, Value) {
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public func makeIterator() -> AnyIterator<(key: String, value: Value)> {
        var index = 0
        return AnyIterator {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            let key = keys[index]
            return (key, storage[key]!)
        }
    }

    public var values: [Value] { keys.map { storage[$0]! } }

    public static func == (lhs: Object, rhs: Object) -> Bool { lhs.storage == rhs.storage }
}

/// A secret value. Its description is always `(sensitive)`, so string interpolation, logging and
/// `print` cannot leak it.
///
/// Code derives (``map(_:)``), joins (``joined(_:separator:)``), compares (``matches(_:)``) and
/// checks (``satisfies(_:)``) secrets without seeing them. ``revealed`` gives the text, and only
/// where it must leave the process or be hashed: the JSON encoder's `revealSecrets`
/// option (request bodies and the content of Secrets), the kube client's credentials (CurlHandle),
/// host file content (Host's `FileContent`), the ledger digest's HMAC (Engine's `Digester`), and
/// the list of values output is masked against (Playbook's `Secrets`), and the emulator, which
/// stands in for the API server that receives them.
public struct Sensitive: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let revealed: String
    public init(_ revealed: String) { self.revealed = revealed }
    public var description: String { "(sensitive)" }
    public var debugDescription: String { "(sensitive)" }
    // `dump` and debuggers walk mirrors; give them nothing to walk.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
    /// Derives another secret (a base64 encoding, an htpasswd line) without exposing it.
    public func map(_ transform: (String) -> String) -> Sensitive { Sensitive(transform(revealed)) }
    /// Whether the secret's text is exactly `text` (a live object's field, say).
    public func matches(_ text: String) -> Bool { revealed == text }
    /// Whether the secret's text has a shape (an htpasswd line, say), without handing it out.
    public func satisfies(_ predicate: (String) -> Bool) -> Bool { predicate(revealed) }
    /// The secrets' texts joined into one secret.
    public static func joined(_ parts: [Sensitive], separator: String = "") -> Sensitive {
        Sensitive(parts.map(\.revealed).joined(separator: separator))
    }
}

extension Value: Decodable {
    /// Generic decoding (from Foundation's decoders, say). The parameter decoder hands over its
    /// value directly instead, secrets included.
    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [Value] = []
            while !array.isAtEnd { items.append(try array.decode(Value.self)) }
            self = .array(items)
            return
        }
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        if let keyed = try? decoder.container(keyedBy: Key.self) {
            var object = Object()
            for key in keyed.allKeys { object[key.stringValue] = try keyed.decode(Value.self, forKey: key) }
            self = .object(object)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let b = try? single.decode(Bool.self) { self = .bool(b) }
        else if let i = try? single.decode(Int.self) { self = .int(i) }
        else if let d = try? single.decode(Double.self) { self = .double(d) }
        else { self = .string(try single.decode(String.self)) }
    }
}

extension Sensitive: Decodable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }
}
