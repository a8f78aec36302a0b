import Document

// TCP and UDP routes: Traefik's IngressRouteTCP and IngressRouteUDP (traefik.io/v1alpha1, both
// in the CRDs of chart 27.0.2 that k3s v1.31.4 serves), on entry points traefik.acme declares.
extension TraefikRoutes {
    /// Raw TCP to a Service: every connection (`HostSNI(*)`, no TLS at Traefik), or by TLS server
    /// name with the TLS passed through or terminated with the resolver's certificate.
    public struct TCPRoute: Decodable, Sendable {
        public var name: String
        public var namespace: String?
        public var entryPoints: [String]
        /// TLS server names to route by; none routes every connection (`HostSNI(*)`, plain TCP).
        public var sni: [String]?
        public var service: String
        public var port: Int
        public var tls: TCPTLS?
        /// Traefik prepends a PROXY protocol header (version 1 or 2) carrying the client's address;
        /// only for backends that read one.
        public var proxyProtocol: Int?
    }

    public struct TCPTLS: Decodable, Sendable {
        /// The backend speaks TLS itself; Traefik routes by SNI without decrypting.
        public var passthrough: Bool?
        /// Traefik terminates TLS with a certificate from this resolver.
        public var certResolver: String?
    }

    public struct UDPRoute: Decodable, Sendable {
        public var name: String
        public var namespace: String?
        public var entryPoints: [String]
        public var service: String
        public var port: Int
    }

    static func rule(_ route: TCPRoute) -> String {
        guard let names = route.sni, !names.isEmpty else { return "HostSNI(`*`)" }
        return names.map { "HostSNI(`\($0)`)" }.joined(separator: " || ")
    }

    func ingressRouteTCP(_ route: TCPRoute, apiVersion: String) -> Value {
        var service: Value = ["name": .string(route.service), "port": .int(route.port)]
        if let version = route.proxyProtocol { service["proxyProtocol"] = ["version": .int(version)] }
        var spec: Value = [
            "entryPoints": .array(route.entryPoints.map(Value.string)),
            "routes": [["match": .string(Self.rule(route)), "services": [service]]],
        ]
        if let tls = route.tls {
            if tls.passthrough == true { spec["tls"] = ["passthrough": true] }
            else { spec["tls"] = ["certResolver": .string(tls.certResolver ?? parameters.certResolver ?? Self.defaultResolver)] }
        }
        return ["apiVersion": .string(apiVersion), "kind": "IngressRouteTCP",
                "metadata": ["name": .string(route.name), "namespace": .string(route.namespace ?? parameters.namespace)], "spec": spec]
    }

    func ingressRouteUDP(_ route: UDPRoute, apiVersion: String) -> Value {
        ["apiVersion": .string(apiVersion), "kind": "IngressRouteUDP",
         "metadata": ["name": .string(route.name), "namespace": .string(route.namespace ?? parameters.namespace)],
         "spec": ["entryPoints": .array(route.entryPoints.map(Value.string)),
                  "routes": [["services": [["name": .string(route.service), "port": .int(route.port)]]]]]]
    }
}
