#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// The wall clock and UTC calendar fields (gmtime_r/timegm: no time zone database, no Foundation formatter).
public enum UTC {
    /// Calendar fields of one second: month 1...12, day 1...31.
    public struct Fields: Sendable, Equatable {
        public var year, month, day, hour, minute, second: Int
        public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
            (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
        }
    }

    /// Seconds since the epoch and the nanoseconds past them, from CLOCK_REALTIME.
    public static func now() -> (seconds: Int, nanoseconds: Int) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return (Int(spec.tv_sec), Int(spec.tv_nsec))
    }

    public static func fields(_ seconds: Int) -> Fields {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return Fields(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                      hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
    }

    /// Seconds since the epoch; out-of-range fields roll over as timegm does.
    public static func seconds(_ fields: Fields) -> Int {
        var parts = tm()
        parts.tm_year = Int32(fields.year - 1900)
        parts.tm_mon = Int32(fields.month - 1)
        parts.tm_mday = Int32(fields.day)
        parts.tm_hour = Int32(fields.hour)
        parts.tm_min = Int32(fields.minute)
        parts.tm_sec = Int32(fields.second)
        return Int(timegm(&parts))
    }
}
