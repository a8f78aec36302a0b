import Platform
import Document
import FoundationEssentials

/// A plan written by `plan --out FILE`, which `apply FILE` applies only while nothing it was made
/// from has moved: the playbook, the secrets, and (by planning again and comparing) the ledger,
/// the live objects and the host.
public struct SavedPlan: Sendable {
    public static let format = "bootstrap.faforever.com/plan-v1"

    public var playbookPath: String
    public var playbookDigest: String
    public var secretsPath: String?
    /// HMAC-SHA256 of the secrets file under ``salt``: a changed secret is noticed, and the plan
    /// file never holds a plain hash a short secret could be guessed from.
    public var secretsDigest: String?
    public var salt: String
    public var verify: Bool
    public var forceSteps: [String]
    public var only: [String]?
    public var skip: [String]
    /// What the plan was made against (the rehearsal directory, or the node and the API server
    /// with its CA's fingerprint); nil in a plan file that does not say.
    public var target: String?
    /// The plan as `plan --output json` prints it, without its request counts.
    public var plan: Value

    public init(playbookPath: String, playbook: Data, secretsPath: String?, secrets: Data?, verify: Bool, forceSteps: [String],
                only: [String]?, skip: [String], target: String, plan: Value) {
        var saltBytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in saltBytes.indices { saltBytes[i] = generator.next() }
        let salt = Data(saltBytes).base64EncodedString()
        self.salt = salt
        self.playbookPath = playbookPath
        self.playbookDigest = Self.digest(playbook)
        self.secretsPath = secretsPath
        self.secretsDigest = secrets.map { Self.keyedDigest($0, salt: salt) }
        self.verify = verify
        self.forceSteps = forceSteps
        self.only = only
        self.skip = skip
        self.target = target
        self.plan = Self.comparable(plan)
    }

    static func digest(_ data: Data) -> String { "sha256:" + SHA256.hash(data: data).hex }

    static func keyedDigest(_ data: Data, salt: String) -> String {
        let key = Data(base64Encoded: salt) ?? Data()
        return "hmac-sha256:" + HMACSHA256.code(for: data, key: key).hex
    }

    /// The plan without what changes from one identical plan to the next (request counts).
    static func comparable(_ plan: Value) -> Value {
        var plan = plan
        plan["requests"] = nil
        return plan
    }

    public var json: Value {
        [
            "format": .string(Self.format), "playbook": .string(playbookPath), "playbookDigest": .string(playbookDigest),
            "secrets": secretsPath.map(Value.string) ?? .null, "secretsDigest": secretsDigest.map(Value.string) ?? .null,
            "salt": .string(salt), "verify": .bool(verify), "forceSteps": .array(forceSteps.map(Value.string)),
            "only": only.map { .array($0.map(Value.string)) } ?? .null, "skip": .array(skip.map(Value.string)),
            "target": target.map(Value.string) ?? .null, "plan": plan,
        ]
    }

    /// Reads a saved plan; nil when the text is not one (a playbook, say).
    public init?(json text: String) {
        guard text.first == "{", let value = try? JSON.decode(text), value["format"]?.stringValue == Self.format,
              let path = value["playbook"]?.stringValue, let digest = value["playbookDigest"]?.stringValue,
              let salt = value["salt"]?.stringValue, let plan = value["plan"] else { return nil }
        playbookPath = path
        playbookDigest = digest
        secretsPath = value["secrets"]?.stringValue
        secretsDigest = value["secretsDigest"]?.stringValue
        self.salt = salt
        verify = value["verify"]?.boolValue ?? false
        forceSteps = value["forceSteps"]?.arrayValue?.compactMap(\.stringValue) ?? []
        only = value["only"]?.arrayValue?.compactMap(\.stringValue)
        skip = value["skip"]?.arrayValue?.compactMap(\.stringValue) ?? []
        target = value["target"]?.stringValue
        self.plan = plan
    }

    /// What moved since the plan was made, one line each; empty when the plan still holds.
    public func moved(playbook: Data, secretsPath: String?, secrets: Data?, target: String, planNow: Value) -> [String] {
        var moved: [String] = []
        if target != self.target {
            moved.append("the plan was made for \(self.target ?? "(a target it does not record)"), this run targets \(target)")
        }
        if Self.digest(playbook) != playbookDigest { moved.append("the playbook \(playbookPath) changed since the plan was made") }
        if secretsPath != self.secretsPath {
            moved.append("the plan was made with secrets \(self.secretsPath ?? "(none)"), this run reads \(secretsPath ?? "(none)")")
        } else if secrets.map({ Self.keyedDigest($0, salt: salt) }) != secretsDigest {
            moved.append("the secrets file \(secretsPath ?? "") changed since the plan was made")
        }
        guard moved.isEmpty else { return moved }
        let before = plan["steps"]?.arrayValue ?? [], after = Self.comparable(planNow)["steps"]?.arrayValue ?? []
        let ids = (before + after).compactMap { $0["id"]?.stringValue }
        var seen: Set<String> = []
        for id in ids where seen.insert(id).inserted {
            let old = before.first { $0["id"]?.stringValue == id }, new = after.first { $0["id"]?.stringValue == id }
            guard old != new else { continue }
            moved.append("step \"\(id)\": " + Self.describe(old, new))
        }
        if moved.isEmpty && Self.comparable(planNow) != plan { moved.append("the plan's header changed (cluster reachability)") }
        return moved
    }

    static func describe(_ old: Value?, _ new: Value?) -> String {
        guard let old else { return "new in this plan" }
        guard let new else { return "no longer in this plan" }
        func line(_ step: Value) -> String { "\(step["action"]?.stringValue ?? "?"): \(step["reason"]?.stringValue ?? "")" }
        if line(old) != line(new) { return "planned \"\(line(old))\", now \"\(line(new))\"" }
        for key in ["hostActions", "hostFiles"] where old[key] != new[key] { return "its host changes differ (the host changed)" }
        if old["deletions"] != new["deletions"] { return "its deletions differ" }
        let a = old["objects"]?.arrayValue ?? [], b = new["objects"]?.arrayValue ?? []
        for (x, y) in zip(a, b) where x != y {
            return "\(y["kind"]?.stringValue ?? "") \(y["namespace"]?.stringValue.map { "\($0)/" } ?? "")\(y["name"]?.stringValue ?? "") "
                + "differs from the plan (its live state or the playbook changed)"
        }
        if a.count != b.count { return "it plans \(b.count) objects instead of \(a.count)" }
        return "its warnings differ"
    }
}
