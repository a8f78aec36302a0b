import Platform

/// Whether an environment variable holds a secret, by its name's words and by its value's content:
/// the one rule `bootstrap import` sorts compose variables into env and secretEnv by, and app.workload's
/// validation warns by when an env file holds one (the importer adds the user's overrides on top).
public enum SecretVariables {
    static let secretWords: Set<String> = ["PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "TOKEN", "KEY", "APIKEY", "PRIVATE", "CREDENTIAL", "CREDENTIALS", "SALT", "AUTH"]
    /// Words that say the value names or locates a secret rather than holding it.
    static let pointerWords: Set<String> = ["PATH", "FILE", "DIR", "URL", "ID", "PUBLIC", "NAME", "USER", "USERNAME", "HOST", "PORT", "TYPE", "LENGTH", "ALGORITHM", "PREFIX"]
    /// Words before `KEY` that make it a name rather than a credential (`GAME_ROUTING_KEY`).
    static let namingKeyWords: Set<String> = ["ROUTING", "SORT", "PARTITION", "PRIMARY", "FOREIGN", "CACHE", "PUBLIC"]

    /// Whether the variable `name` set to `value` holds a secret.
    public static func isSecret(name: String, value: String) -> Bool {
        if isSecretContent(value) { return true }
        // The last word decides: MYSQL_ROOT_PASSWORD and SESSION_SECRET_KEY hold secrets,
        // DATABASE_PASSWORD_FILE and PASSWORD_RESET_URL_FORMAT do not.
        let words = self.words(of: name)
        guard let last = words.last, !pointerWords.contains(last) else { return false }
        // A key that names something, not a credential: RabbitMQ's routing keys (faf-stack's
        // `*_ROUTING_KEY`), sort and partition keys.
        if words.count >= 2, last == "KEY", namingKeyWords.contains(words[words.count - 2]) { return false }
        return secretWords.contains(last) || last.hasSuffix("PASSWORD") || last.hasSuffix("SECRET") || last.hasSuffix("TOKEN")
    }

    /// The name's words, upper-cased: split at anything but letters and digits. Environment names
    /// are ASCII, split by byte (Character properties cost validation a tenth of its time).
    static func words(of name: String) -> [String] {
        guard name.utf8.allSatisfy({ $0 < 0x80 }) else {
            return name.uppercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        }
        return name.utf8.split(whereSeparator: { byte in
            !((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A))
        }).map { String(decoding: $0, as: UTF8.self).uppercased() }
    }

    /// Content that is a secret whatever its name: private keys, password hashes, credentials in URLs.
    public static func isSecretContent(_ value: String) -> Bool {
        if ByteSearch.contains("PRIVATE KEY-----", in: value) { return true }
        for prefix in ["$2y$", "$2a$", "$2b$", "$apr1$", "{SHA}"] where value.hasPrefix(prefix) || ByteSearch.contains(":" + prefix, in: value) { return true }
        if let scheme = ByteSearch.offset(of: "://", in: value) {
            // Bytes, not Characters: "user:pass@" is ASCII, and the offset is one of UTF-8.
            let rest = value.utf8.dropFirst(scheme + 3)
            if let at = rest.firstIndex(of: UInt8(ascii: "@")), let colon = rest[..<at].firstIndex(of: UInt8(ascii: ":")), colon < at,
               !rest[..<at].contains(UInt8(ascii: "/")) { return true }
        }
        return false
    }
}
