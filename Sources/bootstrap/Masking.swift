import Engine

/// The last line of defence: any secret value that reached output text is replaced.
///
/// Secrets are a distinct type that prints as `(sensitive)` and Secret objects are redacted before
/// printing; this catches what slipped through another path (an API error echoing a body, say).
enum Masking {
    static func mask(_ text: String, playbook: CheckedPlaybook) -> String {
        var text = text
        for secret in playbook.secrets.allValues where text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: "(sensitive)")
        }
        return text
    }
}
