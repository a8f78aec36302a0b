import Engine
import Glibc


/// The last line of defence: any secret value that reached output text is replaced.
///
/// Secrets are a distinct type that prints as `(sensitive)` and Secret objects are redacted before
/// printing; this catches what slipped through another path (an API error echoing a body, say).
enum Masking {
    static func mask(_ text: String, playbook: CheckedPlaybook) -> String {
        mask(text, secrets: playbook.secrets.allValues)
    }

    /// Byte-level search: Foundation's string search was most of a JSON plan's printing time.
    static func mask(_ text: String, secrets: [String]) -> String {
        var bytes = Array(text.utf8)
        let placeholder = Array("(sensitive)".utf8)
        var changed = false
        for secret in secrets {
            let needle = Array(secret.utf8)
            guard !needle.isEmpty else { continue }
            var out: [UInt8] = []
            var position = 0
            while position < bytes.count {
                guard let offset = find(needle, in: bytes, from: position) else { break }
                out.append(contentsOf: bytes[position..<offset])
                out.append(contentsOf: placeholder)
                position = offset + needle.count
            }
            if position > 0 {
                out.append(contentsOf: bytes[position...])
                bytes = out
                changed = true
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    /// The offset of `needle` in `haystack` at or after `start` (memchr for the first byte, then memcmp).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        haystack.withUnsafeBufferPointer { hay in
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
