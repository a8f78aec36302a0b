import Platform
import Document
import FoundationEssentials

/// The digest that says whether a recorded step is still what the playbook asks for.
///
/// It covers the step type, the type's version and the resolved parameters. Secrets enter only
/// as HMAC-SHA256 under the cluster's ledger key, so an annotation never holds a plain hash of a
/// secret that could be brute-forced offline.
public struct Digester: Sendable {
    let key: Data?

    /// `key` is the ledger key; nil when it is not known yet (plan before the first apply).
    public init(key: Data?) { self.key = key }

    /// The step's digest, or nil when it has secrets and no ledger key exists to protect them.
    public func digest(type: String, version: Int, parameters: Value) -> String? {
        guard let canonical = canonicalize(parameters) else { return nil }
        let document: Value = ["type": .string(type), "version": .int(version), "with": canonical]
        let bytes = Array(JSON.encode(document, options: .sortedKeys).utf8)
        return "sha256:" + SHA256.hash(data: bytes).hex
    }

    func canonicalize(_ value: Value) -> Value? {
        // Most of a step's parameters (file contents, lists of ports) are canonical as they are:
        // returned, not rebuilt value by value (a no-op re-run digests every step).
        if Self.isCanonical(value) { return value }
        switch value {
        case .sensitive(let secret):
            guard let key else { return nil }
            let mac = HMACSHA256.code(for: Array(secret.revealed.utf8), key: key)
            return .string("hmac-sha256:" + mac.hex)
        case .array(let items):
            var out: [Value] = []
            for item in items {
                guard let c = canonicalize(item) else { return nil }
                out.append(c)
            }
            return .array(out)
        case .object(let object):
            var out = Object()
            for (k, v) in object {
                guard let c = canonicalize(v) else { return nil }
                out[k] = c
            }
            return .object(out)
        case .double(let d) where d.rounded() == d && abs(d) < 1e15:
            return .int(Int(d))
        default:
            return value
        }
    }

    /// True when `value` holds no secret and no whole-number double: what ``canonicalize(_:)`` would return unchanged.
    static func isCanonical(_ value: Value) -> Bool {
        switch value {
        case .sensitive:
            return false
        case .double(let d):
            return !(d.rounded() == d && abs(d) < 1e15)
        case .array(let items):
            for item in items where !isCanonical(item) { return false }
            return true
        case .object(let object):
            for (_, item) in object where !isCanonical(item) { return false }
            return true
        default:
            return true
        }
    }
}
