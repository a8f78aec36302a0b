import Document
import Engine
import Kube

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
        /// Redirects the `web` entry point to `websecure`; on unless false. The redirect's router
        /// gets priority 1, so routes a playbook puts on `web` are served instead of redirected.
        public var redirectToHTTPS: Bool?
        /// How the node's ports 80 and 443 reach Traefik: `hostPort` (the pod binds them, the
        /// Service becomes ClusterIP) or `serviceLB` (k3s' ServiceLB serves the chart's LoadBalancer
        /// Service; the default, and refused when the playbook's k3s disables servicelb).
        public var bind: Bind?
        /// More entry points for raw TCP or UDP (traefik.routes' `tcp:` and `udp:` routes), bound on
        /// the node like 80 and 443 (hostPort, or ServiceLB through the chart's Service).
        public var entryPoints: [EntryPoint]?
        public var tlsOptions: TLSOptions?
        /// More Traefik chart values (e.g. `additionalArguments`); they may not set what the step sets.
        public var values: Value?
    }

    public enum Challenge: String, ParameterEnum {
        case tls, http, dns
    }

    public enum Bind: String, ParameterEnum {
        case hostPort, serviceLB
    }

    /// An entry point of its own: chart 27 `ports.<name>` (a Kubernetes port name, at most 15
    /// characters), listening on `port` in the pod and on the node.
    public struct EntryPoint: Decodable, Sendable {
        public var name: String
        public var port: Int
        public var `protocol`: EntryPointProtocol?
        public var protocolChoice: EntryPointProtocol { self.protocol ?? .tcp }
    }

    public enum EntryPointProtocol: String, ParameterEnum {
        case tcp = "TCP", udp = "UDP"
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
    public static let version = 2
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
    /// The user and group chart 27 runs Traefik as (values.yaml `podSecurityContext.runAsUser` and
    /// `runAsGroup` 65532; `fsGroup` commented out, so volumes are not chowned for it).
    static let chartUser = 65532
    /// The redirect router's priority: the lowest there is (0 means "rule length" to Traefik).
    /// Traefik v2's default is MaxInt32-1 (traefik/traefik v2.11 pkg/config/static/entrypoints.go,
    /// RedirectEntryPoint.SetDefaults), which shadows every router on `web`.
    static let redirectPriority = 1

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

    static let chartRef = ObjectRef(apiVersion: "helm.cattle.io/v1", kind: "HelmChart", namespace: "kube-system", name: "traefik")
    static let configRef = ObjectRef(apiVersion: "helm.cattle.io/v1", kind: "HelmChartConfig", namespace: "kube-system", name: "traefik")
    static let jobRef = ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: "kube-system", name: "helm-install-traefik")

    /// Applies the objects, then, like `helm.chart`, waits for helm-controller's Job
    /// `helm-install-traefik` that installs k3s' Traefik with the new values (a changed
    /// HelmChartConfig makes helm-controller run it again), and fails with its condition; then for
    /// the release's Deployment, as helm.chart waits for its release's workloads.
    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        let kube = try context.requireKube()
        let previousJob = try await kube.get(Self.jobRef).map(HelmChart.identity)
        let previousValues = try await kube.get(Self.configRef)?[path: ["spec", "valuesContent"]]
        try await Traefik.applyWhenServed(plan.objects, context)
        // Without k3s' own HelmChart (not a k3s node) no Job will come.
        guard try await kube.get(Self.chartRef) != nil else { return }
        let changed = previousValues != helmChartConfig[path: ["spec", "valuesContent"]]
        let stale = changed ? previousJob : nil
        try await context.wait(for: "helm-install-traefik Job (k3s' Traefik with the new values)") {
            guard let job = try await kube.get(Self.jobRef), HelmChart.identity(job) != stale else { return false }
            switch HelmChart.outcome(job) {
            case .running: return false
            case .succeeded: return true
            case .failed(let detail):
                throw StepError("Job kube-system/helm-install-traefik failed (\(detail)): k3s' Traefik did not install with these values; "
                    + "its log says why: kubectl -n kube-system logs job/helm-install-traefik")
            }
        }
        // The Job ran helm without --wait: Traefik runs once its Deployment has rolled out and settled.
        try await Self.release.wait(kube, context, settle: nil, what: "k3s' Traefik release")
    }

    /// k3s' packaged Traefik: release `traefik` in kube-system.
    static let release = HelmRelease(name: "traefik", namespace: "kube-system")

    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] {
        var drift = try await context.drift(of: plan.objects)
        drift += try await unboundPorts(context)
        if let kube = context.kube { drift += try await Self.release.drift(kube) }
        return drift
    }

    /// The node ports 80 and 443 nothing binds, as k3s' Traefik release shows it: the pods'
    /// hostPorts or host network, or its LoadBalancer Service with an address (ServiceLB).
    /// Nothing to say when the release is not there (not a k3s node, or not installed yet).
    func unboundPorts(_ context: StepContext) async throws -> [String] {
        let kube = try context.requireKube()
        let deployment = try await kube.get(ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "kube-system", name: "traefik"))
        let service = try await kube.get(ObjectRef(apiVersion: "v1", kind: "Service", namespace: "kube-system", name: "traefik"))
        guard deployment != nil || service != nil else { return [] }
        let pod = deployment?[path: ["spec", "template", "spec"]] ?? .null
        if pod["hostNetwork"]?.boolValue == true { return [] }
        let hostPorts = Set((pod["containers"]?.arrayValue ?? []).flatMap { $0["ports"]?.arrayValue ?? [] }.compactMap { $0["hostPort"]?.intValue })
        let served = service?[path: ["spec", "type"]]?.stringValue == "LoadBalancer"
            && !(service?[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? []).isEmpty
        let servicePorts = Set((service?[path: ["spec", "ports"]]?.arrayValue ?? []).compactMap { $0["port"]?.intValue })
        let wanted = Traefik.nodePorts.values.sorted() + (parameters.entryPoints ?? []).map(\.port)
        return wanted.filter { !hostPorts.contains($0) && !(served && servicePorts.contains($0)) }.map { port in
            "nothing binds the node's port \(port): the Traefik pods have no hostPort \(port) and Service kube-system/traefik is "
                + "\(service?[path: ["spec", "type"]]?.stringValue ?? "missing")\(served ? "" : " without a load-balancer address (is ServiceLB disabled?)")"
        }
    }
}

extension TraefikACME: BindsHostPorts {
    /// 80, 443 and every entry point of its own are bound on the node (hostPort, or ServiceLB's pods).
    public var hostPorts: [HostPort] {
        Traefik.nodePorts.sorted { $0.value < $1.value }.map { HostPort($0.value, purpose: "Traefik entry point \($0.key)") }
            + (parameters.entryPoints ?? []).map {
                HostPort($0.port, $0.protocolChoice == .udp ? .udp : .tcp, purpose: "Traefik entry point \($0.name)")
            }
    }
}
