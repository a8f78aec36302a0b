#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

// The few string operations the package used from the whole of Foundation (trimming, path
// components, percent-encoding, fixed-point numbers, hex). The binary links FoundationEssentials
// only, which has none of them: the whole of Foundation brings CoreFoundation's start-up and ICU's
// data, a few milliseconds on every run (README, Performance).

/// Which characters ``Swift/StringProtocol/trimming(_:)`` removes from both ends.
public struct TrimSet: Sendable {
    let contains: @Sendable (Character) -> Bool

    /// Spaces and tabs (whitespace other than line breaks), Foundation's `.whitespaces`.
    public static let whitespace = TrimSet { $0.isWhitespace && !$0.isNewline }
    /// Whitespace and line breaks, Foundation's `.whitespacesAndNewlines`.
    public static let whitespaceAndNewlines = TrimSet { $0.isWhitespace }
    /// Exactly the characters of `list`.
    public static func characters(_ list: String) -> TrimSet {
        let set = Set(list)
        return TrimSet { set.contains($0) }
    }
}

extension StringProtocol {
    /// Without the leading and trailing characters of `set`.
    public func trimming(_ set: TrimSet) -> String {
        guard let first = firstIndex(where: { !set.contains($0) }),
              let last = lastIndex(where: { !set.contains($0) }) else { return "" }
        return String(self[first...last])
    }
}

extension StringProtocol {
    /// Exactly `width` characters: cut, or filled with spaces on the right (a table column).
    public func padded(to width: Int) -> String {
        count >= width ? String(prefix(width)) : String(self) + String(repeating: " ", count: width - count)
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex; a table, because String(format:) per byte dominated large plans.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Numbers as people read them in progress lines.
public enum NumberText {
    /// `value` rounded to `digits` decimals (at most 6), as printf's `%.Nf` writes it.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        let digits = min(max(digits, 0), 6)
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        // Ties to even, as printf rounds a value that is exactly halfway (1.25 → 1.2).
        let scaled = Int((abs(value) * Double(scale)).rounded(.toNearestOrEven))
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(scaled) }
        let fraction = String(scaled % scale)
        return sign + String(scaled / scale) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// `value` with at least two digits, as `%02d` writes it.
    public static func twoDigits(_ value: Int) -> String {
        value >= 0 && value < 10 ? "0\(value)" : String(value)
    }
}

/// RFC 3986 percent-encoding of everything but the unreserved characters (ASCII letters and digits,
/// `-._~`), for a value inside a URL's query or path segment.
public enum PercentEncoding {
    /// Built as bytes: appending to a String scalar by scalar was 1% of `validate`, since the
    /// masking set-up encodes every secret at every start.
    public static func encode(_ value: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `value` with its `%XX` escapes decoded; nil when an escape is malformed or the bytes are not
    /// UTF-8 (as Foundation's removingPercentEncoding).
    public static func decode(_ value: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = value.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Path strings, taken apart as NSString did: `/` separators, no file-system access.
public enum PathText {
    /// Everything before the last component (`a/b/c` → `a/b`, `/a` → `/`, `a` → ``).
    public static func parent(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        var parent = path[..<slash]
        while parent.count > 1, parent.hasSuffix("/") { parent = parent.dropLast() }
        return String(parent)
    }

    /// The last component (`a/b/c` → `c`, `/a/` → `a`).
    public static func lastComponent(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/"), path.count > 1 else { return String(path) }
        return String(path[path.index(after: slash)...])
    }

    /// `component` below `directory`, with one `/` between them (an absolute `component` is joined
    /// too, as NSString's appendingPathComponent does).
    public static func join(_ directory: String, _ component: String) -> String {
        if directory.isEmpty { return component }
        if component.isEmpty { return directory }
        return (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/"
            + (component.hasPrefix("/") ? String(component.dropFirst()) : component)
    }
}
