#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// Finding a byte string in another with memchr and memcmp: far faster than String search on large text.
public enum ByteSearch {
    /// The offset of `needle` in `haystack` at or after `start`; nil when absent or `needle` is empty.
    public static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, start >= 0 else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                var at = start
                while hay.count - at >= pin.count {
                    guard let hit = memchr(hay.baseAddress! + at, Int32(pin[0]), hay.count - at - pin.count + 1) else { return nil }
                    let offset = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - hay.baseAddress!
                    if memcmp(hay.baseAddress! + offset, pin.baseAddress!, pin.count) == 0 { return offset }
                    at = offset + 1
                }
                return nil
            }
        }
    }
}
