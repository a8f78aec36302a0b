import Document

enum Patch {
    /// RFC 7386 JSON merge patch. Strategic merge patches come here too, minus their `$` directives:
    /// lists are replaced whole, which is what a merge patch does.
    static func merge(_ target: Value, _ patch: Value, dropDirectives: Bool = false) -> Value {
        guard case .object(let patchObject) = patch else { return patch }
        var result: Object
        if case .object(let existing) = target { result = existing } else { result = Object() }
        for (key, value) in patchObject {
            if dropDirectives && key.hasPrefix("$") { continue }
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = merge(result[key] ?? .null, value, dropDirectives: dropDirectives)
            }
        }
        return .object(result)
    }

    struct Failure: Error { var message: String }

    /// RFC 6902 JSON patch: add, remove, replace, move, copy, test.
    static func json(_ target: Value, _ operations: Value) throws(Failure) -> Value {
        guard case .array(let ops) = operations else { throw Failure(message: "json patch must be an array of operations") }
        var doc = target
        for op in ops {
            guard let name = op["op"]?.stringValue, let path = op["path"]?.stringValue else {
                throw Failure(message: "json patch operation needs \"op\" and \"path\"")
            }
            let pointer = try parsePointer(path)
            switch name {
            case "add": doc = try set(doc, pointer[...], try require(op, "value"), insert: true)
            case "replace":
                _ = try get(doc, pointer)
                doc = try set(doc, pointer[...], try require(op, "value"), insert: false)
            case "remove": doc = try remove(doc, pointer[...])
            case "move", "copy":
                guard let from = op["from"]?.stringValue else { throw Failure(message: "\(name) operation needs \"from\"") }
                let fromPointer = try parsePointer(from)
                let value = try get(doc, fromPointer)
                if name == "move" { doc = try remove(doc, fromPointer[...]) }
                doc = try set(doc, pointer[...], value, insert: true)
            case "test":
                guard try get(doc, pointer) == (try require(op, "value")) else {
                    throw Failure(message: "testing value \(path) failed")
                }
            default: throw Failure(message: "Unexpected kind: \(name)")
            }
        }
        return doc
    }

    private static func require(_ op: Value, _ key: String) throws(Failure) -> Value {
        guard let v = op[key] else { throw Failure(message: "\(op["op"]?.stringValue ?? "") operation needs \"\(key)\"") }
        return v
    }

    private static func parsePointer(_ path: String) throws(Failure) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw Failure(message: "invalid JSON pointer \"\(path)\"") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).replacing("~1", with: "/").replacing("~0", with: "~")
        }
    }

    private static func get(_ doc: Value, _ pointer: [String]) throws(Failure) -> Value {
        var current = doc
        for token in pointer {
            switch current {
            case .object(let o):
                guard let next = o[token] else { throw Failure(message: "doc is missing key: /\(pointer.joined(separator: "/"))") }
                current = next
            case .array(let a):
                guard let i = Int(token), a.indices.contains(i) else { throw Failure(message: "doc is missing index: \(token)") }
                current = a[i]
            default: throw Failure(message: "doc is missing path: /\(pointer.joined(separator: "/"))")
            }
        }
        return current
    }

    private static func set(_ doc: Value, _ pointer: ArraySlice<String>, _ value: Value, insert: Bool) throws(Failure) -> Value {
        guard let token = pointer.first else { return value }
        let rest = pointer.dropFirst()
        switch doc {
        case .object(var o):
            if rest.isEmpty { o[token] = value; return .object(o) }
            guard let child = o[token] else { throw Failure(message: "doc is missing path: \(token)") }
            o[token] = try set(child, rest, value, insert: insert)
            return .object(o)
        case .array(var a):
            if rest.isEmpty {
                if token == "-" && insert { a.append(value); return .array(a) }
                guard let i = Int(token), i >= 0, insert ? i <= a.count : i < a.count else {
                    throw Failure(message: "index out of bounds: \(token)")
                }
                if insert { a.insert(value, at: i) } else { a[i] = value }
                return .array(a)
            }
            guard let i = Int(token), a.indices.contains(i) else { throw Failure(message: "index out of bounds: \(token)") }
            a[i] = try set(a[i], rest, value, insert: insert)
            return .array(a)
        default:
            throw Failure(message: "doc is missing path: \(token)")
        }
    }

    private static func remove(_ doc: Value, _ pointer: ArraySlice<String>) throws(Failure) -> Value {
        guard let token = pointer.first else { throw Failure(message: "cannot remove the whole document") }
        let rest = pointer.dropFirst()
        switch doc {
        case .object(var o):
            guard let child = o[token] else { throw Failure(message: "Unable to remove nonexistent key: \(token): missing value") }
            if rest.isEmpty { o[token] = Value?.none } else { o[token] = try remove(child, rest) }
            return .object(o)
        case .array(var a):
            guard let i = Int(token), a.indices.contains(i) else { throw Failure(message: "index out of bounds: \(token)") }
            if rest.isEmpty { a.remove(at: i) } else { a[i] = try remove(a[i], rest) }
            return .array(a)
        default:
            throw Failure(message: "doc is missing path: \(token)")
        }
    }
}
