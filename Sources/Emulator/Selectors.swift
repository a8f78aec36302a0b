import Platform
import FoundationEssentials
import Document

/// A label or field selector: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x)`.
struct Selector {
    enum Requirement {
        case equals(String, String), notEquals(String, String), exists(String), notExists(String)
        case isIn(String, Set<String>), notIn(String, Set<String>)
    }
    var requirements: [Requirement] = []

    init(_ text: String) throws(APIError) {
        for term in Self.splitTerms(text) {
            let t = term.trimming(.whitespace)
            if t.isEmpty { continue }
            if let r = t.firstRange(of: " notin ") ?? t.firstRange(of: " in ") {
                let key = t[..<r.lowerBound].trimming(.whitespace)
                let list = t[r.upperBound...].trimming(.characters(" ()"))
                let values = Set(list.split(separator: ",").map { $0.trimming(.whitespace) })
                requirements.append(t[r].contains("notin") ? .notIn(key, values) : .isIn(key, values))
            } else if let r = t.firstRange(of: "!=") {
                requirements.append(.notEquals(String(t[..<r.lowerBound]), String(t[r.upperBound...])))
            } else if let r = t.firstRange(of: "==") ?? t.firstRange(of: "=") {
                requirements.append(.equals(String(t[..<r.lowerBound]), String(t[r.upperBound...])))
            } else if t.hasPrefix("!") {
                requirements.append(.notExists(String(t.dropFirst())))
            } else if t.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) }) {
                requirements.append(.exists(t))
            } else {
                throw APIError.badRequest("unable to parse requirement: \(t)")
            }
        }
    }

    /// Commas separate terms except inside `( )`.
    private static func splitTerms(_ text: String) -> [String] {
        var terms: [String] = [], current = "", depth = 0
        for c in text {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if c == "," && depth == 0 { terms.append(current); current = "" } else { current.append(c) }
        }
        terms.append(current)
        return terms
    }

    func matches(_ lookup: (String) -> String?) -> Bool {
        requirements.allSatisfy { r in
            switch r {
            case .equals(let k, let v): lookup(k) == v
            case .notEquals(let k, let v): lookup(k) != v
            case .exists(let k): lookup(k) != nil
            case .notExists(let k): lookup(k) == nil
            case .isIn(let k, let vs): lookup(k).map(vs.contains) ?? false
            case .notIn(let k, let vs): !(lookup(k).map(vs.contains) ?? false)
            }
        }
    }

    func matchesLabels(of object: Value) -> Bool {
        let labels = object[path: ["metadata", "labels"]]
        return matches { labels?[$0]?.stringValue }
    }

    /// Field selectors name dotted paths (`metadata.name`, `status.phase`).
    func matchesFields(of object: Value) -> Bool {
        matches { field in
            let value = object[path: field.split(separator: ".").map(String.init)]
            switch value {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .bool(let b): return String(b)
            case nil, .null?: return field == "metadata.namespace" ? "" : nil
            default: return nil
            }
        }
    }
}
