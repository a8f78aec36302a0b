import Document
import Engine
import FoundationEssentials
import Kube

/// A parameter that must come from the secrets file (`${{ secrets.* }}`): a token or password
/// written in the playbook itself would sit unprotected in the repository.
public struct TraefikSecret: Decodable, Sendable {
    public let value: Sensitive

    public init(_ value: Sensitive) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(Value.self)
        let problem: String
        switch raw {
        case .sensitive(let secret):
            value = secret
            return
        case .string:
            problem = "must come from the secrets file (${{ secrets.* }}): a value written in the playbook is not protected"
        default:
            problem = "must be a string from the secrets file, found \(raw.typeName)"
        }
        guard let reporter = decoder as? any ParameterReporting else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: problem))
        }
        reporter.report(problem)
        value = Sensitive("")
    }
}

/// What both Traefik steps share: API groups, k3s' bundled Traefik, naming checks.
enum Traefik {
    /// Traefik's CRD group since v2.10; older installs only serve `traefik.containo.us`.
    static let apiVersion = "traefik.io/v1alpha1"
    static let legacyAPIVersion = "traefik.containo.us/v1alpha1"

    /// An entry point k3s' Traefik chart defines (chart 27 values `ports`): the container port it
    /// listens on, and the port the node serves it on (`exposedPort`) when the chart exposes it.
    struct ChartEntryPoint {
        var name: String
        var port: Int
        var nodePort: Int?
    }

    /// The chart's entry points; FAF's compose stack called websecure `web-secure`.
    static let chartEntryPoints = [
        ChartEntryPoint(name: "web", port: 8000, nodePort: 80),
        ChartEntryPoint(name: "websecure", port: 8443, nodePort: 443),
        ChartEntryPoint(name: "traefik", port: 9000),
        ChartEntryPoint(name: "metrics", port: 9100),
    ]

    /// The names of the chart's entry points.
    static let entryPoints = chartEntryPoints.map(\.name)

    /// The entry points k3s' Traefik serves on the node, and their ports: HTTP and HTTPS.
    static let nodePorts = [String: Int](uniqueKeysWithValues: chartEntryPoints.compactMap { e in e.nodePort.map { (e.name, $0) } })

    /// The API version to write `kind` with: `traefik.containo.us` only when the live cluster serves
    /// nothing else; `traefik.io` when the API is not reachable yet (plan on a fresh node).
    static func apiVersion(for kind: String, _ context: StepContext) async throws -> String {
        guard let kube = context.kube else { return apiVersion }
        if try await kube.knows(apiVersion: apiVersion, kind: kind) { return apiVersion }
        if try await kube.knows(apiVersion: legacyAPIVersion, kind: kind) { return legacyAPIVersion }
        return apiVersion
    }

    /// Applies objects once the API serves each of their kinds: k3s installs Traefik's CRDs from
    /// its bundled chart some time after the API server is up.
    static func applyWhenServed(_ objects: [Value], _ context: StepContext) async throws {
        let kube = try context.requireKube()
        var seen: Set<String> = []
        for object in objects {
            guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
                  seen.insert(apiVersion + " " + kind).inserted else { continue }
            try await context.wait(for: "\(kind) (\(apiVersion)) to be served") {
                try await kube.knows(apiVersion: apiVersion, kind: kind)
            }
        }
        try await context.applyObjects(objects)
    }

    /// The `k3s.install` step of the playbook that disables k3s' bundled Traefik, if any.
    static func stepDisablingTraefik(_ context: ValidationContext) -> String? {
        context.steps(of: K3sInstall.self).first { $0.parameters.disable?.contains("traefik") ?? false }?.id
    }

    /// The minor version of the playbook's k3s release (31 for v1.31.4+k3s1), if one is installed.
    static func k3sMinorVersion(_ context: ValidationContext) -> Int? {
        for step in context.steps(of: K3sInstall.self) {
            let version = step.parameters.version
            guard version.hasPrefix("v1.") else { continue }
            let minor = version.dropFirst(3).prefix { $0 != "." }
            guard Scan.digits(minor), version.dropFirst(3 + minor.count).hasPrefix(".") else { continue }
            return Int(minor)
        }
        return nil
    }

    /// A Secret whose values stay sensitive: they print as `(sensitive)` everywhere but on the wire.
    static func secret(name: String, namespace: String, data: [(String, Sensitive)]) -> Value {
        let encoded = Object(data.map { ($0.0, Value.sensitive($0.1.map { Data($0.utf8).base64EncodedString() })) })
        return ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "type": "Opaque", "data": .object(encoded)]
    }

    /// A host name a `Host()` rule can match: a lower-case DNS name (no wildcards, no ports).
    static func isHostName(_ host: String) -> Bool { ParameterRules.isDNSSubdomain(host) }

    static func didYouMean(_ word: String, _ candidates: some Sequence<String>) -> String {
        suggestion(for: word, among: candidates).map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}

extension Traefik {
    /// `local@domain.tld`: one `@`, no spaces, a dot in the domain with something after it.
    static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(where: \.isWhitespace),
              let dot = parts[1].lastIndex(of: "."), dot != parts[1].startIndex else { return false }
        return !parts[1][parts[1].index(after: dot)...].isEmpty
    }

    /// `host:port` for a DNS resolver, the host possibly an IPv6 literal in brackets.
    static func isHostPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":") else { return false }
        let host = text[..<colon]
        return Scan.digits(text[text.index(after: colon)...])
            && Scan.word(host, first: Scan.with(Scan.alnum, ".:[]-"), rest: Scan.with(Scan.alnum, ".:[]-"))
    }
}
