import Engine
import Platform


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
