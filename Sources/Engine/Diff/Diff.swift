import Document

import FoundationEssentials

/// Field-level comparison of a desired object with a live one.
public enum Diff {
    /// The object as the API server stores it: a Secret's write-only `stringData` becomes base64 `data`.
    public static func asStored(_ object: Value) -> Value {
        guard object["kind"]?.stringValue == "Secret", let strings = object["stringData"]?.objectValue else { return object }
        var object = object
        var data = object["data"]?.objectValue ?? Object()
        for (key, value) in strings {
            switch value {
            case .sensitive(let secret): data[key] = .sensitive(secret.map { Data($0.utf8).base64EncodedString() })
            case .string(let text): data[key] = .string(Data(text.utf8).base64EncodedString())
            default: break
            }
        }
        object["stringData"] = nil
        object["data"] = .object(data)
        return object
    }

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
        default:
            return ObjectDiff.same(desired, live) ? [] : [path]
        }
    }
}
