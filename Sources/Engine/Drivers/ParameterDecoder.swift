import Document
import Playbook

/// Decodes a step's `with:` parameters into the driver's `Decodable` type, reporting every wrong
/// type, missing key and unknown key at the position it was written.
///
/// It keeps going after an error (returning placeholders) so one `validate` shows all problems.
public enum ParameterDecoder {
    /// With `partial`, a value decoded around errors (placeholders where they are) is returned too,
    /// so the driver's own checks still run in the same round; otherwise nil when anything is wrong.
    public static func decode<T: Decodable>(_ type: T.Type, from parameters: ResolvedParameters, stepID: String,
                                            fallback: Mark?, partial: Bool = false) -> (T?, [Diagnostic]) {
        let state = DecodingState(marks: parameters.marks, fallback: fallback, stepID: stepID)
        let decoder = ValueDecoder(value: parameters.value, path: [], pathKey: "", state: state, suppressed: false)
        do {
            let result = try T(from: decoder)
            if !state.aborted { state.reportUnknownKeys(parameters.value, path: []) }
            return (state.diagnostics.isEmpty || (partial && !state.aborted) ? result : nil, state.diagnostics)
        } catch is Recorded {
            return (nil, state.diagnostics)
        } catch {
            state.record("invalid parameters: \(error)", at: [])
            return (nil, state.diagnostics)
        }
    }
}

/// Implemented by the parameter decoder so that custom `init(from:)` can report positioned errors.
public protocol ParameterReporting {
    func report(_ message: String)
    /// Where the value being decoded was written (a file named relative to the playbook is read from there).
    var mark: Mark? { get }
}

/// A string-valued parameter choice; an invalid value is reported with the valid ones.
public protocol ParameterEnum: RawRepresentable, CaseIterable, Decodable, Sendable where RawValue == String {}

extension ParameterEnum {
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        if let value = Self(rawValue: raw) {
            self = value
            return
        }
        let choices = Self.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let hint = suggestion(for: raw, among: Self.allCases.map(\.rawValue)).map { " (did you mean \"\($0)\"?)" } ?? ""
        guard let reporter = decoder as? any ParameterReporting else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(raw)\" is not one of \(choices)"))
        }
        reporter.report("\"\(raw)\" is not one of \(choices)\(hint)")
        self = Self.allCases.first!
    }
}

/// Thrown once an error has been recorded and decoding cannot produce a value.
struct Recorded: Error {}

final class DecodingState: @unchecked Sendable {
    // Only touched from the single synchronous decode call that owns it.
    let marks: [String: Mark]
    let fallback: Mark?
    let stepID: String
    var diagnostics: [Diagnostic] = []
    var consulted: [String: Set<String>] = [:]
    var aborted = false

    init(marks: [String: Mark], fallback: Mark?, stepID: String) {
        self.marks = marks
        self.fallback = fallback
        self.stepID = stepID
    }

    func mark(_ path: [String]) -> Mark? {
        var path = path
        while true {
            if let m = marks[path.joined(separator: ".")] { return m }
            if path.isEmpty { return fallback }
            path.removeLast()
        }
    }

    func record(_ message: String, at path: [String]) {
        let name = path.isEmpty ? "" : " \"\(path.joined(separator: "."))\""
        diagnostics.append(.error("step \"\(stepID)\": parameter\(name) \(message)", at: mark(path)))
    }

    func reportUnknownKeys(_ value: Value, path: [String]) {
        switch value {
        case .object(let object):
            let key = path.joined(separator: ".")
            if let asked = consulted[key] {
                for name in object.keys where !asked.contains(name) {
                    let hint = suggestion(for: name, among: asked.sorted()).map { " (did you mean \"\($0)\"?)" } ?? ""
                    let at = marks[(path + [name]).joined(separator: ".") + "#key"] ?? mark(path + [name])
                    diagnostics.append(.error("step \"\(stepID)\": unknown parameter \"\((path + [name]).joined(separator: "."))\"\(hint)", at: at))
                }
            }
            for (name, child) in object { reportUnknownKeys(child, path: path + [name]) }
        case .array(let items):
            for (i, item) in items.enumerated() { reportUnknownKeys(item, path: path + [String(i)]) }
        default:
            break
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

struct ValueDecoder: Decoder, ParameterReporting {
    let value: Value
    let path: [String]
    /// `path` joined with dots, built as the decoder descends: every key looked up is recorded
    /// under it (for unknown-key reports), and joining the path again per key cost validate ~10%.
    let pathKey: String
    let state: DecodingState
    /// Decoding a placeholder below an error already reported: report nothing more.
    let suppressed: Bool

    var codingPath: [any CodingKey] { path.map { AnyKey(stringValue: $0) } }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func report(_ message: String) { if !suppressed { state.record(message, at: path) } }
    var mark: Mark? { state.mark(path) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if case .object(let object) = value {
            return KeyedDecodingContainer(KeyedContainer<Key>(object: object, decoder: self, suppressed: suppressed))
        }
        if !value.isNull || path.isEmpty { report("must be a mapping, found \(value.typeName)") }
        else { report("must be a mapping, found nothing") }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: Object(), decoder: self, suppressed: true))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        if case .array(let items) = value { return UnkeyedContainer(items: items, decoder: self, suppressed: suppressed) }
        report("must be a list, found \(value.typeName)")
        return UnkeyedContainer(items: [], decoder: self, suppressed: true)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }

    func child(_ value: Value, _ key: String, suppressed: Bool) -> ValueDecoder {
        ValueDecoder(value: value, path: path + [key], pathKey: pathKey.isEmpty ? key : pathKey + "." + key, state: state,
                     suppressed: suppressed || self.suppressed)
    }

    /// Decodes `T`, giving leaves a placeholder when the value has the wrong type.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == Value.self { return value as! T }
        if T.self == Sensitive.self {
            switch value {
            case .sensitive(let s): return s as! T
            case .string(let s): return Sensitive(s) as! T
            default: report("must be a string, found \(value.typeName)"); return Sensitive("") as! T
            }
        }
        if T.self == String.self {
            switch value {
            case .string(let s): return s as! T
            case .sensitive:
                report("cannot take a secret: it would be written where secrets are not protected")
                return "" as! T
            case .int, .double, .bool:
                // `port: 80` where a string is wanted is still obviously meant as text.
                return JSON.encode(value) as! T
            default: report("must be a string, found \(value.typeName)"); return "" as! T
            }
        }
        if T.self == Int.self {
            if let i = value.intValue { return i as! T }
            report("must be an integer, found \(value.typeName)")
            return 0 as! T
        }
        if T.self == Double.self {
            switch value {
            case .int(let i): return Double(i) as! T
            case .double(let d): return d as! T
            default: report("must be a number, found \(value.typeName)"); return 0.0 as! T
            }
        }
        if T.self == Bool.self {
            if let b = value.boolValue { return b as! T }
            report("must be true or false, found \(value.typeName)")
            return false as! T
        }
        do {
            return try T(from: self)
        } catch is Recorded {
            throw Recorded()
        } catch let error as DecodingError {
            report(Self.describe(error))
            state.aborted = true
            throw Recorded()
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let c), .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c):
            return c.debugDescription
        @unknown default:
            return "is invalid"
        }
    }
}

struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: Object
    let decoder: ValueDecoder
    let suppressed: Bool

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] {
        decoder.state.consulted[decoder.pathKey, default: []].formUnion(object.keys)
        return object.keys.compactMap { Key(stringValue: $0) }
    }

    private func consult(_ name: String) {
        decoder.state.consulted[decoder.pathKey, default: []].insert(name)
    }

    func contains(_ key: Key) -> Bool {
        consult(key.stringValue)
        return object[key.stringValue] != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        consult(key.stringValue)
        return object[key.stringValue]?.isNull ?? true
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        consult(key.stringValue)
        if let value = object[key.stringValue] {
            return try decoder.child(value, key.stringValue, suppressed: suppressed).decode(T.self)
        }
        if !suppressed { decoder.state.record("is required: missing \"\(key.stringValue)\"", at: decoder.path) }
        return try decoder.child(.null, key.stringValue, suppressed: true).decode(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        consult(key.stringValue)
        return try decoder.child(object[key.stringValue] ?? .null, key.stringValue, suppressed: suppressed).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        consult(key.stringValue)
        return try decoder.child(object[key.stringValue] ?? .null, key.stringValue, suppressed: suppressed).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(object[key.stringValue] ?? .null, key.stringValue, suppressed: suppressed)
    }
}

struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [Value]
    let decoder: ValueDecoder
    let suppressed: Bool
    var currentIndex = 0

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let index = currentIndex
        currentIndex += 1
        return try decoder.child(items[index], String(index), suppressed: suppressed).decode(T.self)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let index = currentIndex
        currentIndex += 1
        return try decoder.child(items[index], String(index), suppressed: suppressed).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let index = currentIndex
        currentIndex += 1
        return try decoder.child(items[index], String(index), suppressed: suppressed).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { decoder }
}

struct SingleContainer: SingleValueDecodingContainer {
    let decoder: ValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    func decodeNil() -> Bool { decoder.value.isNull }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(T.self) }
}
