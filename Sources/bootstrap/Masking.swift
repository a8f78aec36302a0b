import Playbook
import Document
import Engine
import FoundationEssentials
import Platform
import Synchronization

/// The last line of defence: any secret value that reached output text is replaced.
///
/// Secrets are a distinct type that prints as `(sensitive)` and Secret objects are redacted before
/// printing; this catches what slipped through another path (an API error echoing a body, say).
enum Masking {
    static func mask(_ text: String, playbook: CheckedPlaybook) -> String {
        let secrets = playbook.secrets.allValues
        // The playbook's secrets are usually the active ones: their forms are computed once.
        let (activeSecrets, activeNeedles) = active.withLock { $0 }
        return mask(text, needles: secrets == activeSecrets ? activeNeedles : needles(for: secrets))
    }

    /// The secrets every line printed through ``Console`` is masked with, and their forms in every encoding.
    private static let active = Mutex<(secrets: [String], needles: [[UInt8]])>(([], []))

    /// From now on, everything ``Console`` prints is masked with these secrets.
    static func activate(_ secrets: [String]) {
        let needles = needles(for: secrets)
        active.withLock { $0 = (secrets, needles) }
    }

    /// Masks `text` with the secrets ``activate(_:)`` was given.
    static func maskActive(_ text: String) -> String {
        let needles = active.withLock { $0.needles }
        return needles.isEmpty ? text : mask(text, needles: needles)
    }

    /// Every form a secret can take in text bootstrap prints: as written, JSON-escaped (once, and
    /// twice for JSON quoted inside a JSON string), base64 (a Secret's `data`) and URL-encoded
    /// (a query, a URL in an error). Longest first, so a longer form is not cut by a shorter one.
    /// Sorted, then equal neighbours dropped: a Set of byte arrays hashed every byte of every form.
    static func needles(for secrets: [String]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for secret in secrets where !secret.isEmpty {
            let escaped = String(JSON.encode(.string(secret)).dropFirst().dropLast())
            let twice = String(JSON.encode(.string(escaped)).dropFirst().dropLast())
            let base64 = Data(secret.utf8).base64EncodedString()
            let url = PercentEncoding.encode(secret)
            let form = formEncoded(url)
            for variant in [secret, escaped, twice, base64, url, form] { out.append(Array(variant.utf8)) }
        }
        out.sort { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        var unique: [[UInt8]] = []
        unique.reserveCapacity(out.count)
        for needle in out where needle != unique.last { unique.append(needle) }
        return unique
    }

    /// A percent-encoded value as an HTML form writes it: `%20` as `+` (bytes: the standard
    /// library's `replacing` is generic string processing, slow for every secret at every start).
    static func formEncoded(_ url: String) -> String {
        var out: [UInt8] = []
        let bytes = Array(url.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "2"), bytes[i + 2] == UInt8(ascii: "0") {
                out.append(UInt8(ascii: "+"))
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func mask(_ text: String, secrets: [String]) -> String {
        mask(text, needles: needles(for: secrets))
    }

    /// Byte-level search: Foundation's string search was most of a JSON plan's printing time.
    static func mask(_ text: String, needles: [[UInt8]]) -> String {
        var bytes = Array(text.utf8)
        let placeholder = Array("(sensitive)".utf8)
        var changed = false
        for needle in needles {
            guard !needle.isEmpty else { continue }
            var out: [UInt8] = []
            var position = 0
            while position < bytes.count {
                guard let offset = ByteSearch.find(needle, in: bytes, from: position) else { break }
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
}
