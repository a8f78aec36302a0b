import Platform
import Document
import Engine
import Kube
import FoundationEssentials

extension TraefikRoutes {
    static let httpMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"]
    /// Hash prefixes Traefik's htpasswd reader understands; anything else would be a clear-text password.
    static let htpasswdHashes = ["$apr1$", "$2y$", "$2a$", "$2b$", "{SHA}"]

    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if let k3s = Traefik.stepDisablingTraefik(context) {
            problems.append(context.warning("step \"\(k3s)\" disables k3s' bundled Traefik: these routes need a Traefik installed some other way", at: ""))
        }
        if !KubeNames.isDNSLabel(p.namespace) {
            problems.append(context.error("namespace \"\(p.namespace)\" is not a valid namespace", at: "namespace"))
        }
        let driver = TraefikRoutes(id: context.stepID, parameters: p)
        problems += validateMiddlewares(p.middlewares ?? [], context)
        var seen: Set<String> = []
        for (index, route) in p.routes.enumerated() {
            let at = String(index)
            let key = driver.namespace(of: route) + "/" + route.name
            if !seen.insert(key).inserted {
                problems.append(context.error("route \"\(route.name)\" is defined twice in namespace \(driver.namespace(of: route))", at: "routes", at, "name"))
            }
            problems += validateRoute(route, index: index, driver: driver, context)
        }
        problems += validateResolvers(p, context)
        problems += validateServices(p, driver: driver, context)
        problems += validateTCP(p, driver: driver, context)
        problems += validateUDP(p, driver: driver, context)
        let used = Set(p.routes.flatMap { $0.middlewares ?? [] })
        for (index, middleware) in (p.middlewares ?? []).enumerated() where !used.contains(middleware.name) {
            problems.append(context.warning("middleware \"\(middleware.name)\" is not used by any route", at: "middlewares", String(index), "name"))
        }
        return problems
    }

    /// Every route goes to a Service some step of the playbook creates.
    static func validateServices(_ p: Parameters, driver: TraefikRoutes, _ context: ValidationContext) -> [Diagnostic] {
        let services = PlaybookServices.of(context)
        var problems: [Diagnostic] = []
        for (index, route) in p.routes.enumerated() where !TraefikRoutes.isInternal(route.service) && KubeNames.isDNSLabel(route.service) {
            if let problem = services.problem(service: route.service, namespace: driver.namespace(of: route)) {
                problems.append(context.error("route \"\(route.name)\": \(problem)", at: "routes", String(index), "service"))
            }
        }
        let streams = (p.tcp ?? []).map { ("tcp", $0.name, $0.namespace, $0.service) } + (p.udp ?? []).map { ("udp", $0.name, $0.namespace, $0.service) }
        var offsets = ["tcp": 0, "udp": 0]
        for (list, name, namespace, service) in streams {
            let index = offsets[list]!
            offsets[list] = index + 1
            guard KubeNames.isDNSLabel(service) else { continue }
            if let problem = services.problem(service: service, namespace: namespace ?? p.namespace) {
                problems.append(context.error("\(list): route \"\(name)\": \(problem)", at: list, String(index), "service"))
            }
        }
        return problems
    }

    static func validateRoute(_ route: Route, index: Int, driver: TraefikRoutes, _ context: ValidationContext) -> [Diagnostic] {
        let at = String(index)
        var problems: [Diagnostic] = []
        if !ParameterRules.isDNSSubdomain(route.name) {
            problems.append(context.error("route name \"\(route.name)\" is not a valid object name (lower-case DNS name)", at: "routes", at, "name"))
        }
        if let namespace = route.namespace, !KubeNames.isDNSLabel(namespace) {
            problems.append(context.error("namespace \"\(namespace)\" is not a valid namespace", at: "routes", at, "namespace"))
        }
        switch (route.hosts, route.match) {
        case (nil, nil), (.some, .some):
            problems.append(context.error("route \"\(route.name)\" needs exactly one of hosts or match", at: "routes", at))
        case (let hosts?, nil):
            if hosts.isEmpty { problems.append(context.error("hosts must not be empty", at: "routes", at, "hosts")) }
            for (h, host) in hosts.enumerated() where !Traefik.isHostName(host) {
                problems.append(context.error("host \"\(host)\" is not a valid DNS name (lower-case letters, digits, '-' and '.')", at: "routes", at, "hosts", String(h)))
            }
        case (nil, let match?):
            if match.trimming(.whitespace).isEmpty {
                problems.append(context.error("match must not be empty", at: "routes", at, "match"))
            } else if match.filter({ $0 == "`" }).count % 2 != 0 {
                problems.append(context.error("match has an unclosed backtick: Traefik rules quote values as `value`", at: "routes", at, "match"))
            }
        }
        if TraefikRoutes.isInternal(route.service) {
            if !["api@internal", "dashboard@internal", "ping@internal", "prometheus@internal", "noop@internal"].contains(route.service) {
                problems.append(context.error("\"\(route.service)\" is not one of Traefik's internal services (api@internal, dashboard@internal, ping@internal, prometheus@internal, noop@internal)", at: "routes", at, "service"))
            }
            if route.port != nil {
                problems.append(context.error("a route to Traefik's \(route.service) takes no port", at: "routes", at, "port"))
            }
        } else {
            if !KubeNames.isDNSLabel(route.service) {
                problems.append(context.error("service \"\(route.service)\" is not a valid Service name (lowercase letters, digits and '-', at most 63)", at: "routes", at, "service"))
            }
            if let port = route.port {
                if !(1...65535).contains(port) {
                    problems.append(context.error("port \(port) is out of range 1-65535", at: "routes", at, "port"))
                }
            } else {
                problems.append(context.error("route to Service \"\(route.service)\" needs its port", at: "routes", at))
            }
        }
        if let entryPoints = route.entryPoints, entryPoints.isEmpty {
            problems.append(context.error("entryPoints must not be empty", at: "routes", at, "entryPoints"))
        }
        for (e, entryPoint) in (route.entryPoints ?? []).enumerated() where !Traefik.entryPoints.contains(entryPoint) {
            problems.append(context.error("entry point \"\(entryPoint)\" is not one k3s' Traefik defines (\(Traefik.entryPoints.joined(separator: ", ")))\(Traefik.didYouMean(entryPoint, Traefik.entryPoints))",
                                          at: "routes", at, "entryPoints", String(e)))
        }
        if let tls = route.tls, tls.certResolver != nil, tls.secretName != nil {
            problems.append(context.error("tls takes certResolver or secretName, not both", at: "routes", at, "tls"))
        }
        problems += validateReferences(route, index: index, driver: driver, context)
        return problems
    }

    static func validateReferences(_ route: Route, index: Int, driver: TraefikRoutes, _ context: ValidationContext) -> [Diagnostic] {
        let defined = (driver.parameters.middlewares ?? []).map(\.name)
        var problems: [Diagnostic] = []
        for (m, reference) in (route.middlewares ?? []).enumerated() {
            let at = ["routes", String(index), "middlewares", String(m)]
            if let provider = reference.firstIndex(of: "@") {
                let base = String(reference[..<provider])
                let hint = defined.contains(base) ? "write \"\(base)\"" : "define it under middlewares"
                problems.append(.error("step \"\(context.stepID)\": middleware \"\(reference)\" uses the compose stack's provider syntax; \(hint)", at: context.mark(at)))
                continue
            }
            if reference.contains("/") {
                let (namespace, name) = driver.target(of: reference)
                if !KubeNames.isDNSLabel(namespace) || !ParameterRules.isDNSSubdomain(name) {
                    problems.append(.error("step \"\(context.stepID)\": middleware reference \"\(reference)\" must be namespace/name", at: context.mark(at)))
                    continue
                }
            } else if !defined.contains(reference) {
                problems.append(.error("step \"\(context.stepID)\": unknown middleware \"\(reference)\"\(Traefik.didYouMean(reference, defined)); define it under middlewares or write namespace/name for one defined elsewhere",
                                       at: context.mark(at)))
                continue
            }
            let namespace = driver.target(of: reference).namespace
            if namespace != driver.namespace(of: route) {
                problems.append(.warning("step \"\(context.stepID)\": middleware \"\(reference)\" is in namespace \(namespace), not the route's (\(driver.namespace(of: route))): Traefik ignores cross-namespace references unless allowCrossNamespace is enabled",
                                         at: context.mark(at)))
            }
        }
        return problems
    }

    /// Routes must name a resolver the playbook's `traefik.acme` defines, when it has one.
    static func validateResolvers(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        let defined = context.steps(of: TraefikACME.self).map { $0.parameters.resolver ?? TraefikACME.defaultResolver }
        var problems: [Diagnostic] = []
        var warned = false
        for (index, route) in p.routes.enumerated() where (route.tls?.enabled ?? true) && route.tls?.secretName == nil {
            let resolver = route.tls?.certResolver ?? p.certResolver ?? defaultResolver
            let path = route.tls?.certResolver != nil ? ["routes", String(index), "tls", "certResolver"]
                : p.certResolver != nil ? ["certResolver"] : ["routes", String(index)]
            if defined.isEmpty {
                if !warned {
                    problems.append(.warning("step \"\(context.stepID)\": no traefik.acme step in this playbook defines certificate resolver \"\(resolver)\"", at: context.mark(path)))
                    warned = true
                }
            } else if !defined.contains(resolver) {
                problems.append(.error("step \"\(context.stepID)\": route \"\(route.name)\" uses certificate resolver \"\(resolver)\", which no traefik.acme step defines (defined: \(defined.joined(separator: ", ")))\(Traefik.didYouMean(resolver, defined)); set tls.certResolver or certResolver",
                                       at: context.mark(path)))
            }
        }
        return problems
    }

    static func validateMiddlewares(_ middlewares: [Middleware], _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var seen: Set<String> = []
        for (index, m) in middlewares.enumerated() {
            let at = String(index)
            if !ParameterRules.isDNSSubdomain(m.name) {
                problems.append(context.error("middleware name \"\(m.name)\" is not a valid object name (lower-case DNS name)", at: "middlewares", at, "name"))
            }
            if !seen.insert(m.name).inserted {
                problems.append(context.error("middleware \"\(m.name)\" is defined twice", at: "middlewares", at, "name"))
            }
            if let namespace = m.namespace, !KubeNames.isDNSLabel(namespace) {
                problems.append(context.error("namespace \"\(namespace)\" is not a valid namespace", at: "middlewares", at, "namespace"))
            }
            let kinds = [m.basicAuth != nil, m.redirectRegex != nil, m.headers != nil, m.compress != nil, m.stripPrefix != nil].filter { $0 }.count
            if kinds != 1 {
                problems.append(context.error("middleware \"\(m.name)\" needs exactly one of basicAuth, redirectRegex, headers, compress, stripPrefix", at: "middlewares", at))
            }
            if let auth = m.basicAuth {
                if auth.users.isEmpty { problems.append(context.error("basicAuth.users must not be empty", at: "middlewares", at, "basicAuth", "users")) }
                for (u, user) in auth.users.enumerated() where !isHtpasswdLine(user.value) {
                    // Never quote the line: it is a secret.
                    problems.append(context.error("basicAuth.users: entry \(u) is not an htpasswd line with a hashed password (user:$apr1$…, user:$2y$… or user:{SHA}…; make one with htpasswd -nB USER)",
                                                  at: "middlewares", at, "basicAuth", "users", String(u)))
                }
            }
            if let redirect = m.redirectRegex, redirect.regex.isEmpty {
                problems.append(context.error("redirectRegex.regex must not be empty", at: "middlewares", at, "redirectRegex", "regex"))
            }
            if let headers = m.headers {
                for (i, method) in (headers.accessControlAllowMethods ?? []).enumerated() where !httpMethods.contains(method) {
                    problems.append(context.error("\"\(method)\" is not an HTTP method\(Traefik.didYouMean(method, httpMethods))",
                                                  at: "middlewares", at, "headers", "accessControlAllowMethods", String(i)))
                }
                if let age = headers.accessControlMaxAge, age < 0 {
                    problems.append(context.error("accessControlMaxAge must be 0 or more seconds", at: "middlewares", at, "headers", "accessControlMaxAge"))
                }
            }
            for (i, prefix) in (m.stripPrefix?.prefixes ?? []).enumerated() where !prefix.hasPrefix("/") {
                problems.append(context.error("prefix \"\(prefix)\" must start with /", at: "middlewares", at, "stripPrefix", "prefixes", String(i)))
            }
        }
        return problems
    }

    static func isHtpasswdLine(_ line: Sensitive) -> Bool {
        line.satisfies { isHtpasswdText($0) }
    }

    static func isHtpasswdText(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, !text.contains("\n") else { return false }
        let hash = text[text.index(after: colon)...]
        return htpasswdHashes.contains { hash.hasPrefix($0) }
    }
}
