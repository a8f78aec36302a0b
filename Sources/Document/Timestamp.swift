import Platform

/// RFC 3339 UTC timestamps (`2026-11-21T22:58:07Z`), as Kubernetes writes them.
///
/// Formatted with gmtime_r: Foundation's ISO8601DateFormatter is costly to create and not Sendable.
public enum Timestamp {
    /// Now, to the second.
    public static func now() -> String { format(seconds: UTC.now().seconds, micros: nil) }

    /// Now with microseconds, the form of a Lease's MicroTime fields.
    public static func nowMicro() -> String {
        let now = UTC.now()
        return format(seconds: now.seconds, micros: now.nanoseconds / 1000)
    }

    static func format(seconds: Int, micros: Int?) -> String {
        let parts = UTC.fields(seconds)
        func pad(_ v: Int, _ width: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = "\(pad(parts.year, 4))-\(pad(parts.month))-\(pad(parts.day))"
            + "T\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))"
        if let micros { text += "." + pad(micros, 6) }
        return text + "Z"
    }

    /// Seconds since the epoch of an RFC 3339 UTC timestamp (fractions ignored); nil when malformed.
    public static func parse(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        return Double(UTC.seconds(UTC.Fields(year: year, month: month, day: day, hour: hour, minute: minute, second: second)))
    }
}
