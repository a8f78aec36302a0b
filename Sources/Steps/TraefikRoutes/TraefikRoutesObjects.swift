import Document

// The objects traefik.routes writes: field names are those of Traefik's IngressRoute and
// Middleware CRDs (traefik.io/v1alpha1).
extension TraefikRoutes {
    func namespace(of route: Route) -> String { route.namespace ?? parameters.namespace }
    func namespace(of middleware: Middleware) -> String { middleware.namespace ?? parameters.namespace }

    /// The rule a route matches: its raw `match`, or its hosts joined with `||`.
    static func rule(_ route: Route) -> String {
        route.match ?? (route.hosts ?? []).map { "Host(`\($0)`)" }.joined(separator: " || ")
    }

    /// Where a route's middleware reference points: a step middleware by name, or `namespace/name`.
    func target(of reference: String) -> (namespace: String, name: String) {
        if let slash = reference.firstIndex(of: "/") {
            return (String(reference[..<slash]), String(reference[reference.index(after: slash)...]))
        }
        let defined = parameters.middlewares?.first { $0.name == reference }
        return (defined.map(namespace(of:)) ?? parameters.namespace, reference)
    }

    func ingressRoute(_ route: Route, apiVersion: String) -> Value {
        let routeNamespace = namespace(of: route)
        var rule: Value = ["kind": "Rule", "match": .string(Self.rule(route))]
        if let priority = route.priority { rule["priority"] = .int(priority) }
        if let references = route.middlewares, !references.isEmpty {
            rule["middlewares"] = .array(references.map { reference in
                let (ns, name) = target(of: reference)
                // Traefik resolves a reference without namespace in the route's own namespace.
                return ns == routeNamespace ? ["name": .string(name)] : ["name": .string(name), "namespace": .string(ns)]
            })
        }
        if TraefikRoutes.isInternal(route.service) {
            rule["services"] = [["kind": "TraefikService", "name": .string(route.service)]]
        } else {
            rule["services"] = [["kind": "Service", "name": .string(route.service), "port": .int(route.port ?? 0)]]
        }
        var spec: Value = ["entryPoints": .array((route.entryPoints ?? Self.defaultEntryPoints).map(Value.string)),
                            "routes": [rule]]
        if route.tls?.enabled ?? true {
            if let secret = route.tls?.secretName {
                spec["tls"] = ["secretName": .string(secret)]
            } else {
                spec["tls"] = ["certResolver": .string(certResolver(of: route))]
            }
        }
        return ["apiVersion": .string(apiVersion), "kind": "IngressRoute",
                "metadata": ["name": .string(route.name), "namespace": .string(routeNamespace)], "spec": spec]
    }

    func certResolver(of route: Route) -> String {
        route.tls?.certResolver ?? parameters.certResolver ?? Self.defaultResolver
    }

    static func basicAuthSecretName(_ middleware: Middleware) -> String { middleware.name + "-basicauth" }

    /// The Secret holding a basic-auth middleware's htpasswd lines under `users`, as Traefik reads it.
    func basicAuthSecret(_ middleware: Middleware) -> Value? {
        guard let auth = middleware.basicAuth else { return nil }
        let lines = Sensitive.joined(auth.users.map(\.value), separator: "\n")
        return Traefik.secret(name: Self.basicAuthSecretName(middleware), namespace: namespace(of: middleware), data: [("users", lines)])
    }

    func middlewareObject(_ middleware: Middleware, apiVersion: String) -> Value {
        var spec: Value = [:]
        if let auth = middleware.basicAuth {
            var basic: Value = ["secret": .string(Self.basicAuthSecretName(middleware))]
            if let realm = auth.realm { basic["realm"] = .string(realm) }
            if let remove = auth.removeHeader { basic["removeHeader"] = .bool(remove) }
            spec["basicAuth"] = basic
        }
        if let redirect = middleware.redirectRegex {
            var body: Value = ["regex": .string(redirect.regex), "replacement": .string(redirect.replacement)]
            if let permanent = redirect.permanent { body["permanent"] = .bool(permanent) }
            spec["redirectRegex"] = body
        }
        if let headers = middleware.headers { spec["headers"] = Self.headers(headers) }
        if let compress = middleware.compress {
            var body: Value = [:]
            if let types = compress.excludedContentTypes { body["excludedContentTypes"] = .array(types.map(Value.string)) }
            if let bytes = compress.minResponseBodyBytes { body["minResponseBodyBytes"] = .int(bytes) }
            spec["compress"] = body
        }
        if let strip = middleware.stripPrefix { spec["stripPrefix"] = ["prefixes": .array(strip.prefixes.map(Value.string))] }
        return ["apiVersion": .string(apiVersion), "kind": "Middleware",
                "metadata": ["name": .string(middleware.name), "namespace": .string(namespace(of: middleware))],
                "spec": spec]
    }

    static func headers(_ h: Headers) -> Value {
        var body: Value = [:]
        func list(_ key: String, _ items: [String]?) { if let items { body[key] = .array(items.map(Value.string)) } }
        list("accessControlAllowMethods", h.accessControlAllowMethods)
        list("accessControlAllowOriginList", h.accessControlAllowOriginList)
        list("accessControlAllowHeaders", h.accessControlAllowHeaders)
        list("accessControlExposeHeaders", h.accessControlExposeHeaders)
        if let credentials = h.accessControlAllowCredentials { body["accessControlAllowCredentials"] = .bool(credentials) }
        if let age = h.accessControlMaxAge { body["accessControlMaxAge"] = .int(age) }
        if let vary = h.addVaryHeader { body["addVaryHeader"] = .bool(vary) }
        return body
    }
}
