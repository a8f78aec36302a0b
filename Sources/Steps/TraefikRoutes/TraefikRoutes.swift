import Document
import Engine

/// `traefik.routes`: Traefik IngressRoutes to Kubernetes Services, and the Middlewares they use
/// (basic auth from the secrets file, regex redirects, CORS headers, compression, prefix stripping).
public struct TraefikRoutes: StepDriver {
    public struct Parameters: Decodable, Sendable {
        /// Where routes and middlewares go unless they name their own namespace.
        public var namespace: String
        /// The certificate resolver of routes that name none; `default`, as `traefik.acme` names its resolver.
        public var certResolver: String?
        public var middlewares: [Middleware]?
        public var routes: [Route]
        /// IngressRouteTCP: raw TCP on entry points `traefik.acme` declares.
        public var tcp: [TCPRoute]?
        /// IngressRouteUDP: UDP on entry points `traefik.acme` declares.
        public var udp: [UDPRoute]?
    }

    public struct Route: Decodable, Sendable {
        public var name: String
        public var namespace: String?
        /// Builds ``Host(`a`) || Host(`b`)``; give either hosts or match.
        public var hosts: [String]?
        /// A raw Traefik rule, e.g. ``Host(`a`) && PathPrefix(`/api`)``.
        public var match: String?
        public var entryPoints: [String]?
        /// A Kubernetes Service in the route's namespace, or one of Traefik's own (`api@internal`).
        public var service: String
        /// The Service's port; none for Traefik's internal services.
        public var port: Int?
        /// Step middlewares by name, or `namespace/name` for ones defined elsewhere.
        public var middlewares: [String]?
        public var tls: RouteTLS?
        public var priority: Int?
    }

    /// Traefik's own services (the dashboard is `api@internal`), routed to as TraefikService.
    static func isInternal(_ service: String) -> Bool { service.hasSuffix("@internal") }

    public struct RouteTLS: Decodable, Sendable {
        /// false serves the route without TLS (a plain `web` route).
        public var enabled: Bool?
        public var certResolver: String?
        /// An existing certificate Secret instead of a resolver.
        public var secretName: String?
    }

    /// One Traefik middleware: a name and exactly one kind.
    public struct Middleware: Decodable, Sendable {
        public var name: String
        public var namespace: String?
        public var basicAuth: BasicAuth?
        public var redirectRegex: RedirectRegex?
        public var headers: Headers?
        public var compress: Compress?
        public var stripPrefix: StripPrefix?
    }

    /// htpasswd lines (`user:hash`), each from the secrets file.
    public struct BasicAuth: Decodable, Sendable {
        public var users: [TraefikSecret]
        public var realm: String?
        public var removeHeader: Bool?
    }

    public struct RedirectRegex: Decodable, Sendable {
        public var regex: String
        /// May use Traefik's `${1}` groups: only `${{ … }}` is playbook interpolation.
        public var replacement: String
        public var permanent: Bool?
    }

    /// The CORS part of Traefik's headers middleware.
    public struct Headers: Decodable, Sendable {
        public var accessControlAllowMethods: [String]?
        public var accessControlAllowOriginList: [String]?
        public var accessControlAllowHeaders: [String]?
        public var accessControlExposeHeaders: [String]?
        public var accessControlAllowCredentials: Bool?
        public var accessControlMaxAge: Int?
        public var addVaryHeader: Bool?
    }

    public struct Compress: Decodable, Sendable {
        public var excludedContentTypes: [String]?
        public var minResponseBodyBytes: Int?
    }

    public struct StripPrefix: Decodable, Sendable {
        public var prefixes: [String]
    }

    public static let type = "traefik.routes"
    public static let version = 1
    public static let target = StepTarget.cluster
    public static let summary = "Traefik IngressRoutes (HTTP, TCP, UDP) to Services, with basic-auth, redirect, CORS, compress and strip-prefix Middlewares"

    static let defaultEntryPoints = ["websecure"]
    static let defaultResolver = "default"

    public let id: String
    public let parameters: Parameters
    public init(id: String, parameters: Parameters) {
        self.id = id
        self.parameters = parameters
    }

    public func check(_ context: StepContext) async throws -> ChangeSet {
        let routeAPI = try await Traefik.apiVersion(for: "IngressRoute", context)
        let middlewareAPI = try await Traefik.apiVersion(for: "Middleware", context)
        var objects: [Value] = []
        for middleware in parameters.middlewares ?? [] {
            if let secret = basicAuthSecret(middleware) { objects.append(secret) }
            objects.append(middlewareObject(middleware, apiVersion: middlewareAPI))
        }
        objects += parameters.routes.map { ingressRoute($0, apiVersion: routeAPI) }
        if let routes = parameters.tcp, !routes.isEmpty {
            let api = try await Traefik.apiVersion(for: "IngressRouteTCP", context)
            objects += routes.map { ingressRouteTCP($0, apiVersion: api) }
        }
        if let routes = parameters.udp, !routes.isEmpty {
            let api = try await Traefik.apiVersion(for: "IngressRouteUDP", context)
            objects += routes.map { ingressRouteUDP($0, apiVersion: api) }
        }
        return ChangeSet(objects: objects)
    }

    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        try await Traefik.applyWhenServed(plan.objects, context)
    }
}
