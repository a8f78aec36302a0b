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
        let words = name.uppercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        guard let last = words.last, !pointerWords.contains(last) else { return false }
        // A key that names something, not a credential: RabbitMQ's routing keys (faf-stack's
        // `*_ROUTING_KEY`), sort and partition keys.
        if words.count >= 2, last == "KEY", namingKeyWords.contains(words[words.count - 2]) { return false }
        return secretWords.contains(last) || last.hasSuffix("PASSWORD") || last.hasSuffix("SECRET") || last.hasSuffix("TOKEN")
    }

    /// Content that is a secret whatever its name: private keys, password hashes, credentials in URLs.
    public static func isSecretContent(_ value: String) -> Bool {
        if value.contains("PRIVATE KEY-----") { return true }
        for prefix in ["$2y$", "$2a$", "$2b$", "$apr1$", "{SHA}"] where value.hasPrefix(prefix) || value.contains(":" + prefix) { return true }
        if let scheme = value.firstRange(of: "://") {
            let rest = value[scheme.upperBound...]
            if let at = rest.firstIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":"), colon < at, !rest[..<at].contains("/") { return true }
        }
        return false
    }
}
