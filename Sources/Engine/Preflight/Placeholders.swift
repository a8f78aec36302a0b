import Document

/// Values left from a template that a real run must not apply: the all-zero digest the playbook
/// ships with, `change-me` secrets of secrets.example, `example.com` (and .org, .net) addresses.
enum Placeholders {
    /// `(parameter path, what it is)` for every placeholder in a step's resolved parameters; a
    /// secret is named by its path only, never by its value.
    static func find(in value: Value, at path: String = "") -> [(String, String)] {
        switch value {
        case .sensitive(let secret):
            return secret.revealed.lowercased().contains("change-me") ? [(path, "a secret is still change-me")] : []
        case .string(let text):
            if text.count == 64, text.allSatisfy({ $0 == "0" }) { return [(path, "the all-zero digest")] }
            if let domain = exampleDomain(text) { return [(path, "\(domain) in \"\(text.count > 80 ? String(text.prefix(80)) + "…" : text)\"")] }
            return []
        case .array(let items):
            return items.enumerated().flatMap { find(in: $1, at: "\(path)[\($0)]") }
        case .object(let object):
            return object.keys.sorted().flatMap { find(in: object[$0]!, at: path.isEmpty ? $0 : "\(path).\($0)") }
        default:
            return []
        }
    }

    /// `example.com` and its siblings (RFC 2606), as a whole host name or its last labels.
    static func exampleDomain(_ text: String) -> String? {
        let hosts = text.lowercased().split { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
        for host in hosts {
            let name = host.hasSuffix(".") ? host.dropLast() : host
            if let domain = ["example.com", "example.org", "example.net"].first(where: { name == $0 || name.hasSuffix("." + $0) }) {
                return domain
            }
        }
        return nil
    }
}
