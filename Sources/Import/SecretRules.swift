/// Which environment values and configuration files are secrets: by the key's words and by the
/// value's content, with the user's overrides (`--secret KEY`, `--not-secret KEY`) winning.
public struct SecretRules: Sendable {
    public var forced: Set<String>
    public var exempt: Set<String>

    public init(forced: Set<String> = [], exempt: Set<String> = []) {
        self.forced = forced
        self.exempt = exempt
    }

    static let secretWords: Set<String> = ["PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "TOKEN", "KEY", "APIKEY", "PRIVATE", "CREDENTIAL", "CREDENTIALS", "SALT", "AUTH"]
    /// Words that say the value names or locates a secret rather than holding it.
    static let pointerWords: Set<String> = ["PATH", "FILE", "DIR", "URL", "ID", "PUBLIC", "NAME", "USER", "USERNAME", "HOST", "PORT", "TYPE", "LENGTH", "ALGORITHM", "PREFIX"]

    /// Words before `KEY` that make it a name rather than a credential (`GAME_ROUTING_KEY`).
    static let namingKeyWords: Set<String> = ["ROUTING", "SORT", "PARTITION", "PRIMARY", "FOREIGN", "CACHE", "PUBLIC"]

    /// Whether an environment variable holds a secret.
    public func isSecret(key: String, value: String) -> Bool {
        if forced.contains(key) { return true }
        if exempt.contains(key) { return false }
        if Self.secretContent(value) { return true }
        // The last word decides: MYSQL_ROOT_PASSWORD and SESSION_SECRET_KEY hold secrets,
        // DATABASE_PASSWORD_FILE and PASSWORD_RESET_URL_FORMAT do not.
        let words = key.uppercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        guard let last = words.last, !Self.pointerWords.contains(last) else { return false }
        // A key that names something, not a credential: RabbitMQ's routing keys (faf-stack's
        // `*_ROUTING_KEY`), sort and partition keys.
        if words.count >= 2, last == "KEY", Self.namingKeyWords.contains(words[words.count - 2]) { return false }
        return Self.secretWords.contains(last) || last.hasSuffix("PASSWORD") || last.hasSuffix("SECRET") || last.hasSuffix("TOKEN")
    }

    /// Content that is a secret whatever its key: private keys, password hashes, credentials in URLs.
    static func secretContent(_ value: String) -> Bool {
        if value.contains("PRIVATE KEY-----") { return true }
        for prefix in ["$2y$", "$2a$", "$2b$", "$apr1$", "{SHA}"] where value.hasPrefix(prefix) || value.contains(":" + prefix) { return true }
        if let scheme = value.firstRange(of: "://") {
            let rest = value[scheme.upperBound...]
            if let at = rest.firstIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":"), colon < at, !rest[..<at].contains("/") { return true }
        }
        return false
    }

    /// Whether a configuration file is a secret: by its name (keys, certificates' keys, ACME
    /// stores) or because it holds a secret (a private key, a `password=` line, a secret variable).
    public func isSecretFile(path: String, content: String) -> Bool {
        let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
        if forced.contains(name) { return true }
        if exempt.contains(name) { return false }
        let isPublic = name.contains("public") || name.hasSuffix(".pub") || name.hasSuffix(".crt") || name.hasSuffix("cert.pem")
        if name == "acme.json" || (!isPublic && name.hasSuffix(".key")) || name.hasSuffix("key.pem") || name.hasSuffix(".p12") || name.hasSuffix(".pfx")
            || name.contains("secret") || name.contains("private") { return true }
        if content.contains("PRIVATE KEY-----") { return true }
        for raw in content.split(separator: "\n") {
            let line = raw.trimming(.whitespace)
            if line.hasPrefix("#") || line.hasPrefix(";") { continue }
            guard let sep = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = line[..<sep].trimming(.whitespace).trimming(.characters("\"'"))
            let value = line[line.index(after: sep)...].trimming(.whitespace).trimming(.characters("\"',"))
            guard !value.isEmpty, !key.contains(" ") else { continue }
            if isSecret(key: key, value: value) { return true }
        }
        return false
    }
}

import Platform
import FoundationEssentials

extension SecretRules {
    /// A small rules file: `secret: [NAME, …]` and `notSecret: [NAME, …]` (variables or config
    /// file names), added to the command line's; every problem reported at its position.
    public func adding(file path: String) throws(Diagnostics) -> SecretRules {
        let text: String
        do { text = try TextFile.read(path) } catch {
            throw Diagnostics([.error("cannot read secret rules: \(error.reason)", at: error.mark(in: path))])
        }
        let root = try YAML.parseOne(text, file: path)
        guard let pairs = root.mapping else {
            throw Diagnostics([.error("secret rules must be a mapping with secret and notSecret lists, found \(root.kindName)", at: root.mark)])
        }
        var rules = self
        var problems: [Diagnostic] = []
        for pair in pairs {
            let key = pair.key.scalarText ?? ""
            guard key == "secret" || key == "notSecret" else {
                problems.append(.error("unknown key \"\(key)\" in secret rules (secret, notSecret)", at: pair.key.mark)); continue
            }
            guard let items = pair.value.sequence else {
                problems.append(.error("\(key) must be a list of names, found \(pair.value.kindName)", at: pair.value.mark)); continue
            }
            for item in items {
                guard let name = item.scalarText, !name.isEmpty else {
                    problems.append(.error("\(key): a name must be text", at: item.mark)); continue
                }
                if key == "secret" { rules.forced.insert(name) } else { rules.exempt.insert(name) }
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        return rules
    }
}

import Document
