import Document
import Engine
import Kube

// Validation of TCP and UDP routes (TraefikRoutesTCP.swift defines them): their entry points
// must be ones a traefik.acme step declares, with the route's protocol.
extension TraefikRoutes {
    /// The entry points of the playbook's traefik.acme steps by protocol, or nil without one.
    static func declaredEntryPoints(_ context: ValidationContext) -> [String: TraefikACME.EntryPointProtocol]? {
        let steps = context.steps(of: TraefikACME.self)
        guard !steps.isEmpty else { return nil }
        var declared = Traefik.nodePorts.mapValues { _ in TraefikACME.EntryPointProtocol.tcp }
        for step in steps { for entryPoint in step.parameters.entryPoints ?? [] { declared[entryPoint.name] = entryPoint.protocolChoice } }
        return declared
    }

    /// An error when the pinned k3s release's Traefik does not serve `kind` (plural `plural`); none
    /// when it does or the release is not known.
    static func checkServed(_ kind: String, plural: String, _ list: String, _ context: ValidationContext) -> [Diagnostic] {
        guard let version = K3sInstall.pinnedVersion(context), let release = K3sReleases.release(version),
              !release.crds.contains(where: { $0.file.contains("traefik.io_\(plural).yaml") }) else { return [] }
        return [context.error("\(list): k3s \(version)'s Traefik does not serve \(kind)", at: list)]
    }

    static func checkEntryPoints(_ entryPoints: [String], _ proto: TraefikACME.EntryPointProtocol, _ list: String, _ at: String,
                                 _ context: ValidationContext) -> [Diagnostic] {
        if entryPoints.isEmpty { return [context.error("\(list): entryPoints must not be empty", at: list, at, "entryPoints")] }
        guard let declared = declaredEntryPoints(context) else {
            return [context.warning("\(list): no traefik.acme step declares entry points \(entryPoints.joined(separator: ", ")); "
                + "k3s' Traefik serves only \(Traefik.nodePorts.keys.sorted().joined(separator: " and ")) on its own", at: list, at, "entryPoints")]
        }
        var problems: [Diagnostic] = []
        for (e, name) in entryPoints.enumerated() {
            let candidates = declared.filter { $0.value == proto }.keys.sorted()
            switch declared[name] {
            case proto?: break
            case let other?:
                problems.append(context.error("\(list): entry point \"\(name)\" is \(other.rawValue), not \(proto.rawValue)", at: list, at, "entryPoints", String(e)))
            case nil:
                problems.append(context.error("\(list): entry point \"\(name)\" is not declared by a traefik.acme step (\(proto.rawValue): "
                    + "\(candidates.joined(separator: ", ")))\(Traefik.didYouMean(name, candidates))", at: list, at, "entryPoints", String(e)))
            }
        }
        return problems
    }

    /// What TCP and UDP routes are both checked for: a valid name used once per namespace, a valid
    /// target Service and port, and entry points of the route's protocol.
    static func checkRoute(name: String, namespace: String?, service: String, port: Int, entryPoints: [String],
                           _ proto: TraefikACME.EntryPointProtocol, _ list: String, _ at: String, seen: inout Set<String>,
                           defaultNamespace: String, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if !ParameterRules.isDNSSubdomain(name) {
            problems.append(context.error("\(list): route name \"\(name)\" is not a valid object name (lower-case DNS name)", at: list, at, "name"))
        }
        if let namespace, !KubeNames.isDNSLabel(namespace) {
            problems.append(context.error("\(list): namespace \"\(namespace)\" is not a valid namespace", at: list, at, "namespace"))
        }
        if !KubeNames.isDNSLabel(service) {
            problems.append(context.error("\(list): service \"\(service)\" is not a valid Service name", at: list, at, "service"))
        }
        if !(1...65535).contains(port) { problems.append(context.error("\(list): port \(port) is out of range 1-65535", at: list, at, "port")) }
        if !seen.insert((namespace ?? defaultNamespace) + "/" + name).inserted {
            problems.append(context.error("\(list): route \"\(name)\" is defined twice", at: list, at, "name"))
        }
        return problems + checkEntryPoints(entryPoints, proto, list, at, context)
    }

    static func validateTCP(_ p: Parameters, driver: TraefikRoutes, _ context: ValidationContext) -> [Diagnostic] {
        guard let routes = p.tcp, !routes.isEmpty else { return [] }
        var problems = checkServed("IngressRouteTCP", plural: "ingressroutetcps", "tcp", context)
        let resolvers = Set(context.steps(of: TraefikACME.self).map { $0.parameters.resolver ?? TraefikACME.defaultResolver })
        var seen: Set<String> = []
        for (index, route) in routes.enumerated() {
            let at = String(index)
            problems += checkRoute(name: route.name, namespace: route.namespace, service: route.service, port: route.port,
                                   entryPoints: route.entryPoints, .tcp, "tcp", at, seen: &seen, defaultNamespace: p.namespace, context)
            if let version = route.proxyProtocol, ![1, 2].contains(version) {
                problems.append(context.error("tcp: proxyProtocol \(version) must be 1 or 2", at: "tcp", at, "proxyProtocol"))
            }
            if route.proxyProtocol == nil { problems += checkClientAddress("tcp", route.service, route.namespace ?? p.namespace, at, context) }
            for (h, host) in (route.sni ?? []).enumerated() where !Traefik.isHostName(host) {
                problems.append(context.error("tcp: sni \"\(host)\" is not a valid DNS name", at: "tcp", at, "sni", String(h)))
            }
            guard let tls = route.tls else { continue }
            if route.sni?.isEmpty ?? true {
                problems.append(context.error("tcp: route \"\(route.name)\" has tls but no sni names: TLS routes are chosen by server name "
                    + "(HostSNI(`*`) is for plain TCP)", at: "tcp", at, "tls"))
            }
            if tls.passthrough == true, tls.certResolver != nil {
                problems.append(context.error("tcp: tls takes passthrough or certResolver, not both", at: "tcp", at, "tls"))
            }
            if tls.passthrough != true {
                let resolver = tls.certResolver ?? p.certResolver ?? defaultResolver
                if !resolvers.isEmpty, !resolvers.contains(resolver) {
                    problems.append(context.error("tcp: route \"\(route.name)\" uses certificate resolver \"\(resolver)\", which no traefik.acme step defines",
                                                  at: "tcp", at, "tls"))
                }
            }
        }
        return problems
    }

    static func validateUDP(_ p: Parameters, driver: TraefikRoutes, _ context: ValidationContext) -> [Diagnostic] {
        guard let routes = p.udp, !routes.isEmpty else { return [] }
        var problems = checkServed("IngressRouteUDP", plural: "ingressrouteudps", "udp", context)
        var seen: Set<String> = []
        for (index, route) in routes.enumerated() {
            let at = String(index)
            problems += checkRoute(name: route.name, namespace: route.namespace, service: route.service, port: route.port,
                                   entryPoints: route.entryPoints, .udp, "udp", at, seen: &seen, defaultNamespace: p.namespace, context)
            problems += checkClientAddress("udp", route.service, route.namespace ?? p.namespace, at, context)
        }
        return problems
    }

    /// A TCP or UDP route to a workload: Traefik opens its own connection to the pod, so the
    /// workload sees Traefik's pod as every client, and whatever it limits, bans or logs by address
    /// (UnrealIRCd's `maxperip`, the lobby server's per-address limits) applies to all clients at once.
    static func checkClientAddress(_ list: String, _ service: String, _ namespace: String, _ at: String,
                                   _ context: ValidationContext) -> [Diagnostic] {
        guard let (id, workload) = context.steps(of: AppWorkload.self).first(where: { $0.parameters.name == service && $0.parameters.namespace == namespace })
        else { return [] }
        let fix = list == "tcp" ? "give the workload's port a hostPort (step \"\(id)\", ports[].hostPort) and drop this route, or set "
            + "proxyProtocol if \(workload.image) reads the PROXY protocol" : "give the workload's port a hostPort (step \"\(id)\", ports[].hostPort) and drop this route"
        return [context.warning("\(list): the route to \(namespace)/\(service) hides the clients' addresses: the workload sees every client "
            + "as Traefik's pod; \(fix)", at: list, at, "service")]
    }
}
