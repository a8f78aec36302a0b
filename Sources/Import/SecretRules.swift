import Steps

/// Which environment values and configuration files are secrets: by ``SecretVariables``' rule (the
/// key's words, the value's content), with the user's overrides (`--secret KEY`, `--not-secret KEY`) winning.
public struct SecretRules: Sendable {
    public var forced: Set<String>
    public var exempt: Set<String>

    public init(forced: Set<String> = [], exempt: Set<String> = []) {
        self.forced = forced
        self.exempt = exempt
    }

    /// Whether an environment variable holds a secret: the user's overrides, then the shared rule.
    public func isSecret(key: String, value: String) -> Bool {
        if forced.contains(key) { return true }
        if exempt.contains(key) { return false }
        return SecretVariables.isSecret(name: key, value: value)
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
