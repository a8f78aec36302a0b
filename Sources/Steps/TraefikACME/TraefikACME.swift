import Document
import Engine

/// `traefik.acme`: configures k3s' bundled Traefik with a Let's Encrypt (ACME) certificate resolver
/// whose storage lives on an existing PersistentVolumeClaim, an HTTP to HTTPS redirect, and the
/// default TLSOption.
///
/// It writes a HelmChartConfig for k3s' `traefik` HelmChart, so the values are those of the chart
/// k3s bundles: ``chartVersion``.
public struct TraefikACME: StepDriver {
    public struct Parameters: Decodable, Sendable {
        /// The resolver's name, referenced by routes' `tls.certResolver`; FAF's compose stack used `default`.
        public var resolver: String?
        public var email: String
        /// The ACME directory; Let's Encrypt production when unset.
        public var caServer: String?
        public var challenge: Challenge
        /// Only with `challenge: dns`.
        public var dns: DNS?
        public var storage: Storage
        /// Redirects the `web` entry point to `websecure`; on unless false.
        public var redirectToHTTPS: Bool?
        public var tlsOptions: TLSOptions?
        /// More Traefik chart values (e.g. `additionalArguments`); they may not set what the step sets.
        public var values: Value?
    }

    public enum Challenge: String, ParameterEnum {
        case tls, http, dns
    }

    /// The DNS-01 challenge: a lego provider and its API token, passed to Traefik through a Secret.
    public struct DNS: Decodable, Sendable {
        public var provider: String
        public var token: TraefikSecret
        /// The environment variable lego reads the token from; known for common providers.
        public var tokenVariable: String?
        /// DNS servers to check propagation with, `host:port`.
        public var resolvers: [String]?
    }

    /// Where `acme.json` lives: an existing claim (made by `storage.local-volumes`) mounted at `path`.
    public struct Storage: Decodable, Sendable {
        public var claim: String
        public var path: String?
    }

    /// The TLSOption named `default`, which Traefik applies to every TLS router without options.
    public struct TLSOptions: Decodable, Sendable {
        public var namespace: String?
        public var minVersion: TLSVersion?
        public var cipherSuites: [String]?
        public var sniStrict: Bool?
    }

    public enum TLSVersion: String, ParameterEnum {
        case tls12 = "VersionTLS12"
        case tls13 = "VersionTLS13"
    }

    public static let type = "traefik.acme"
    public static let version = 1
    public static let target = StepTarget.cluster
    /// The Traefik chart this step's values are written for: the one k3s v1.31 bundles (Traefik v2.11).
    /// k3s v1.32+ bundles Traefik 3 (chart 34.x), whose redirect values differ.
    public static let chartVersion = "27.0.201+up27.0.2"
    public static let summary = "Let's Encrypt resolver, ACME storage on a claim, HTTPS redirect and TLS options for k3s' bundled Traefik (chart \(chartVersion), Traefik v2.11)"

    /// lego's token variable for providers that take one token.
    static let tokenVariables = [
        "cloudflare": "CF_DNS_API_TOKEN", "digitalocean": "DO_AUTH_TOKEN", "hetzner": "HETZNER_API_KEY",
        "linode": "LINODE_TOKEN", "duckdns": "DUCKDNS_TOKEN", "vultr": "VULTR_API_KEY",
    ]
    static let dnsSecretName = "traefik-acme-dns"
    static let defaultResolver = "default"
    static let defaultStoragePath = "/data"

    public let id: String
    public let parameters: Parameters
    public init(id: String, parameters: Parameters) {
        self.id = id
        self.parameters = parameters
    }

    var resolver: String { parameters.resolver ?? Self.defaultResolver }
    var tlsNamespace: String { parameters.tlsOptions?.namespace ?? "kube-system" }
    var tokenVariable: String? {
        parameters.dns.flatMap { $0.tokenVariable ?? Self.tokenVariables[$0.provider] }
    }

    public func check(_ context: StepContext) async throws -> ChangeSet {
        let tlsAPIVersion = try await Traefik.apiVersion(for: "TLSOption", context)
        var objects: [Value] = []
        if let dns = parameters.dns, let variable = tokenVariable {
            objects.append(Traefik.secret(name: Self.dnsSecretName, namespace: "kube-system", data: [(variable, dns.token.value)]))
        }
        let config = helmChartConfig
        objects.append(config)
        objects.append(tlsOption(apiVersion: tlsAPIVersion))

        var warnings: [String] = []
        let live = try await context.kube?.get(.init(apiVersion: "helm.cattle.io/v1", kind: "HelmChartConfig",
                                                    namespace: "kube-system", name: "traefik"))
        if live?[path: ["spec", "valuesContent"]] != config[path: ["spec", "valuesContent"]] {
            warnings.append("k3s upgrades its Traefik release with new values: Traefik restarts, so ingress pauses for a few seconds")
        }
        if let server = parameters.caServer, server.contains("staging") {
            warnings.append("certificates come from \(server): browsers do not trust a staging CA")
        }
        return ChangeSet(objects: objects, warnings: warnings)
    }

    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        try await Traefik.applyWhenServed(plan.objects, context)
    }
}
