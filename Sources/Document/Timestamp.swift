import Glibc

/// RFC 3339 UTC timestamps (`2026-11-21T22:58:07Z`), as Kubernetes writes them.
///
/// Formatted with gmtime_r: Foundation's ISO8601DateFormatter is costly to create and not Sendable.
public enum Timestamp {
    /// Now, to the second.
    public static func now() -> String { format(seconds: time(nil), micros: nil) }

    /// Now with microseconds, the form of a Lease's MicroTime fields.
    public static func nowMicro() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: spec.tv_sec, micros: Int(spec.tv_nsec / 1000))
    }

    static func format(seconds: time_t, micros: Int?) -> String {
        var t = seconds
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))"
            + "T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))"
        if let micros { text += "." + pad(Int32(micros), 6) }
        return text + "Z"
    }

    /// Seconds since the epoch of an RFC 3339 UTC timestamp (fractions ignored); nil when malformed.
    public static func parse(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int32? { Int32(String(decoding: bytes[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Double(timegm(&parts))
    }
}
