import Document

/// Field-level comparison of a desired object with a live one.
public enum Diff {
    /// Paths where `desired` sets something the live object does not hold (server-added fields are ignored).
    public static func missing(_ desired: Value, in live: Value, path: String = "") -> [String] {
        switch (desired, live) {
        case (.object(let d), .object(let l)):
            return d.flatMap { key, value -> [String] in
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let liveValue = l[key] else { return [child] }
                return missing(value, in: liveValue, path: child)
            }
        case (.array(let d), .array(let l)):
            guard d.count == l.count else { return [path] }
            return zip(d, l).enumerated().flatMap { index, pair in missing(pair.0, in: pair.1, path: "\(path)[\(index)]") }
        case (.sensitive(let s), .string(let l)):
            return s.revealed == l ? [] : [path]
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return Double(a) == b ? [] : [path]
        default:
            return desired == live ? [] : [path]
        }
    }
}
