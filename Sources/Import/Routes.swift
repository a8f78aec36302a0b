import Platform
import Document

extension Converter {
    static let headerOptions: [String: (String, String)] = [
        "accesscontrolallowmethods": ("accessControlAllowMethods", "list"),
        "accesscontrolalloworiginlist": ("accessControlAllowOriginList", "list"),
        "accesscontrolallowheaders": ("accessControlAllowHeaders", "list"),
        "accesscontrolexposeheaders": ("accessControlExposeHeaders", "list"),
        "accesscontrolallowcredentials": ("accessControlAllowCredentials", "bool"),
        "accesscontrolmaxage": ("accessControlMaxAge", "int"),
        "addvaryheader": ("addVaryHeader", "bool"),
    ]

    static func entryPoint(_ name: String) -> String {
        switch name.lowercased() { case "web-secure", "websecure", "https": return "websecure"; case "web", "http": return "web"; default: return name }
    }

    /// A service's ports as `convertLabels` collects them: the port and its protocol.
    typealias ServicePorts = [(port: Int, proto: String)]

    /// One service's Traefik labels: HTTP routers to routes (with their middlewares), TCP and UDP
    /// routers to TCP/UDP routes on declared entry points.
    mutating func convertLabels(_ labels: TraefikLabels, service name: String, ns: String, ports: inout ServicePorts, routedPorts: inout Set<Int>, count: inout ServiceCounts) {
        if !labels.enabled {
            note(name, "labels", "Traefik labels without traefik.enable=true: Traefik ignores them, so they are not converted", labels.enableMark ?? labels.http.routers.first?.options.first?.setting.mark)
            return
        }
        for service in labels.http.services {
            for option in service.options where option.key != "loadbalancer.server.port" {
                note(name, "labels", "traefik.http.services.\(service.name).\(option.key): not converted", option.setting.mark)
            }
        }
        for router in labels.http.routers {
            if httpRoute(router, labels, service: name, ns: ns, ports: &ports, routedPorts: &routedPorts) { count.routes += 1 }
        }
        for (proto, sections) in [("tcp", labels.tcp), ("udp", labels.udp)] {
            for router in sections.routers {
                guard streamRoute(router, proto: proto, services: sections.services, service: name, ns: ns, ports: &ports) else { continue }
                if proto == "tcp" { count.tcpRoutes += 1 } else { count.udpRoutes += 1 }
            }
        }
    }

    /// The port a router's Traefik service names (`loadbalancer.server.port`): the one `wanted`,
    /// or the only one; nil when there is none, or it is not a port (an error).
    mutating func labelServicePort(_ table: TraefikLabels.Table, _ wanted: String?, service name: String) -> Int? {
        let entry = wanted.flatMap { w in table.first { $0.name == w } } ?? (table.count == 1 ? table.first : nil)
        guard let setting = entry?.options.value("loadbalancer.server.port") else { return nil }
        guard let port = Int(setting.value.trimming(.whitespace)), (1...65535).contains(port) else {
            problems.append(.error("service \"\(name)\": Traefik service port \"\(setting.value)\" is not a port", at: setting.mark)); return nil
        }
        return port
    }

    /// An HTTP router as a traefik.routes route: whether it was converted (if not, reported).
    mutating func httpRoute(_ router: TraefikLabels.Table.Element, _ labels: TraefikLabels, service name: String, ns: String,
                            ports: inout ServicePorts, routedPorts: inout Set<Int>) -> Bool {
        let o = router.options
        let mark = o.first?.setting.mark
        guard let rule = o.value("rule") else {
            note(name, "labels", "router \(router.name) has no rule: not converted", mark); return false
        }
        let wanted = o.value("service")?.value
        if let wanted, wanted.contains("@") {
            note(name, "labels", "router \(router.name) goes to \(wanted): Traefik's own services are not converted", o.value("service")?.mark ?? mark); return false
        }
        var port = labelServicePort(labels.http.services, wanted, service: name)
        if port == nil {
            if ports.count == 1 { port = ports[0].port }
            else {
                port = 80
                note(name, "labels", "router \(router.name): no service port label and \(ports.isEmpty ? "no" : "several") exposed ports: port 80 assumed (the image's EXPOSE is not known here); review it", mark)
            }
        }
        if !ports.contains(where: { $0 == (port!, "tcp") }) { ports.append((port!, "tcp")) }
        routedPorts.insert(port!)
        var route = Object()
        route["name"] = .string(Self.dnsLabel(router.name))
        if ns != options.defaultNamespace && ns != routesNamespace { route["namespace"] = .string(ns) }
        route["match"] = .string(interpolate(rule.value, service: name, key: "labels", mark: rule.mark).playbook)
        let entries = (o.value("entrypoints")?.value ?? "web,websecure").split(separator: ",").map { Self.entryPoint($0.trimming(.whitespace)) }
        var unknown = false
        for entry in entries where entry != "web" && entry != "websecure" {
            note(name, "labels", "router \(router.name): entry point \(entry) is not web or web-secure: not converted", o.value("entrypoints")?.mark ?? mark); unknown = true
        }
        if unknown { return false }
        route["entryPoints"] = .array(entries.map { .string($0) })
        route["service"] = .string(Self.dnsLabel(name))
        route["port"] = .int(port!)
        var used: [Value] = []
        for raw in (o.value("middlewares")?.value ?? "").split(separator: ",") {
            let reference = raw.trimming(.whitespace)
            if let converted = middleware(reference, service: name, mark: o.value("middlewares")?.mark) { used.append(.string(converted)) }
        }
        if !used.isEmpty { route["middlewares"] = .array(used) }
        if let resolver = o.value("tls.certresolver")?.value {
            if !resolvers.contains(resolver) { resolvers.append(resolver) }
        }
        // A router only on `web` without TLS labels serves plain HTTP, as in compose (TLS there
        // comes from the entry point); traefik.routes would otherwise give it a certificate.
        if entries == ["web"] && o.value("tls")?.value.lowercased() != "true" && o.value("tls.certresolver") == nil {
            route["tls"] = Value.obj(["enabled": false])
        }
        if let priority = o.value("priority").flatMap({ Int($0.value) }) { route["priority"] = .int(priority) }
        for option in o where !["rule", "entrypoints", "middlewares", "service", "tls", "tls.certresolver", "priority"].contains(option.key) {
            note(name, "labels", "router \(router.name): \(option.key) is not converted", option.setting.mark)
        }
        routes.append(.object(route))
        return true
    }

    /// A TCP or UDP router as a route on its entry points (declared on the backend's port when
    /// they are not web/websecure): whether it was converted.
    mutating func streamRoute(_ router: TraefikLabels.Table.Element, proto: String, services: TraefikLabels.Table, service name: String, ns: String, ports: inout ServicePorts) -> Bool {
        let o = router.options
        let mark = o.first?.setting.mark
        guard let port = labelServicePort(services, o.value("service")?.value, service: name) ?? (ports.count == 1 ? ports[0].port : nil) else {
            note(name, "labels", "\(proto) router \(router.name): no service port: not converted", mark); return false
        }
        if !ports.contains(where: { $0 == (port, proto) }) { ports.append((port, proto)) }
        var route = Object()
        route["name"] = .string(Self.dnsLabel(router.name))
        route["namespace"] = .string(ns)
        let entries = (o.value("entrypoints")?.value ?? "").split(separator: ",").map { Self.entryPoint($0.trimming(.whitespace)) }
        guard !entries.isEmpty else { note(name, "labels", "\(proto) router \(router.name): no entry point: not converted", mark); return false }
        for entry in entries where entry != "web" && entry != "websecure" && !entryPoints.contains(where: { $0.name == entry }) {
            entryPoints.append((entry, port, proto.uppercased()))
            note(name, "labels", "\(proto) router \(router.name): entry point \(entry) declared on port \(port) (the backend's): check Traefik's static configuration", mark)
        }
        route["entryPoints"] = .array(entries.map { .string($0) })
        if proto == "tcp", let rule = o.value("rule")?.value {
            let names = rule.split(separator: "`", omittingEmptySubsequences: false).map(String.init).enumerated().filter { $0.offset % 2 == 1 }.map(\.element).filter { $0 != "*" }
            if !names.isEmpty { route["sni"] = .array(names.map { .string(interpolate($0, service: name, key: "labels", mark: mark).playbook) }) }
        }
        route["service"] = .string(Self.dnsLabel(name))
        route["port"] = .int(port)
        if proto == "tcp" {
            if o.value("tls.passthrough")?.value.lowercased() == "true" { route["tls"] = Value.obj(["passthrough": true]) }
            else if let resolver = o.value("tls.certresolver")?.value { route["tls"] = Value.obj(["certResolver": .string(resolver)]) }
            tcpRoutes.append(.object(route))
        } else {
            udpRoutes.append(.object(route))
        }
        return true
    }

    var routesNamespace: String { options.defaultNamespace }

    /// A router's middleware reference: the name the route uses, after converting its definition.
    mutating func middleware(_ reference: String, service: String, mark: Mark?) -> String? {
        let parts = reference.split(separator: "@", maxSplits: 1).map(String.init)
        let base = parts.first ?? reference
        let provider = parts.count > 1 ? parts[1] : "docker"
        let name = Self.dnsLabel(base)
        if middlewares[name] != nil { return name }
        var converted = Object()
        converted["name"] = .string(name)
        if provider == "file" {
            guard let found = dynamicMiddlewares[base] else {
                note(service, "labels", "middleware \(reference): not in the Traefik dynamic configuration (--traefik-dynamic): not converted", mark); return nil
            }
            guard let kind = found.node.mapping?.first, let type = kind.key.scalarText,
                  ["compress", "redirectRegex", "stripPrefix", "headers"].contains(type) else {
                note(service, "labels", "middleware \(reference): its type is not one traefik.routes writes: not converted", mark); return nil
            }
            let body = kind.value.resolved
            converted[type] = body.objectValue == nil ? .object(Object()) : body
        } else {
            guard let found = labelMiddlewares[base] else {
                note(service, "labels", "middleware \(reference): defined nowhere: not converted", mark); return nil
            }
            var body = Object(), type = ""
            for option in found.options {
                let split = option.key.split(separator: ".", maxSplits: 1).map(String.init)
                let key = split.count > 1 ? split[1] : ""
                let value = interpolate(option.setting.value, service: found.service, key: "labels", mark: option.setting.mark)
                switch split[0] {
                case "compress": type = "compress"
                case "redirectregex":
                    type = "redirectRegex"
                    if key == "permanent" { body["permanent"] = .bool(value.resolved.lowercased() == "true") }
                    else if key == "regex" || key == "replacement" { body[key] = .string(value.playbook) }
                case "stripprefix":
                    type = "stripPrefix"
                    if key == "prefixes" { body["prefixes"] = .array(value.resolved.split(separator: ",").map { .string($0.trimming(.whitespace)) }) }
                case "headers":
                    type = "headers"
                    guard let (camel, kind) = Self.headerOptions[key] else {
                        note(found.service, "labels", "middleware \(base): headers.\(key) is not converted", option.setting.mark); continue
                    }
                    switch kind {
                    case "list": body[camel] = .array(value.resolved.split(separator: ",").map { .string($0.trimming(.whitespace)) })
                    case "int": body[camel] = Int(value.resolved).map { .int($0) } ?? .string(value.resolved)
                    default: body[camel] = .bool(value.resolved.lowercased() == "true")
                    }
                case "basicauth":
                    type = "basicAuth"
                    if key == "users" { body["users"] = .array([.string(addSecret("middlewares", name, "htpasswd line(s) of middleware \(base)"))]) }
                default:
                    note(found.service, "labels", "middleware \(base): \(split[0]) is not a type traefik.routes writes: not converted", option.setting.mark)
                    return nil
                }
            }
            guard !type.isEmpty else { return nil }
            converted[type] = .object(body)
        }
        middlewares[name] = .object(converted)
        middlewareOrder.append(name)
        return name
    }
}
