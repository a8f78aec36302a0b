import Document
import Steps

extension Converter {
    /// A port compose publishes on the host, and whether the workload keeps it as a hostPort.
    typealias PublishedPort = (hostIP: String?, host: Int, container: Int, proto: String, mark: Mark, hostPortKept: Bool)

    /// Ports: expose, ports, Traefik's service ports (with the routes of the service's labels).
    /// Sets `ports:` and returns the node ports the workload binds itself.
    mutating func convertPorts(_ service: ComposeProject.Service, _ labels: TraefikLabels, _ draft: inout WorkloadDraft) -> [Int] {
        let name = draft.name
        var ports: [(port: Int, proto: String)] = []
        func addPort(_ port: Int, _ proto: String) { if !ports.contains(where: { $0 == (port, proto) }) { ports.append((port, proto)) } }
        for item in service["expose"]?.sequence ?? [] {
            let text = (item.scalarText ?? "").split(separator: "/").map(String.init)
            if let port = Int(text.first ?? ""), (1...65535).contains(port) { addPort(port, text.count > 1 ? text[1].lowercased() : "tcp") }
            else { problems.append(.error("service \"\(name)\": expose \"\(item.scalarText ?? "")\" is not a port", at: item.mark)) }
        }
        var published: [PublishedPort] = []
        for item in service["ports"]?.sequence ?? [] {
            guard let p = parsePort(item, name) else { continue }
            addPort(p.container, p.proto)
            if let host = p.host { published.append((p.hostIP, host, p.container, p.proto, item.mark, false)) }
        }
        var routedPorts: Set<Int> = []
        if labels.enabled || labels.http.routers.isEmpty == false || labels.tcp.routers.isEmpty == false {
            convertLabels(labels, service: name, ns: draft.ns, ports: &ports, routedPorts: &routedPorts, count: &draft.count)
        }
        for entry in labels.other { note(name, "labels", "\(entry.key)=\(entry.setting.value): not a Traefik label, not converted", entry.setting.mark) }
        for index in published.indices where keepHostPort(published[index], name, routedPorts: routedPorts) {
            published[index].hostPortKept = true
            draft.count.hostPorts += 1
        }
        if !ports.isEmpty {
            draft.with["ports"] = .array(ports.map { p in
                var o = Object()
                o["name"] = .string("\(p.proto)-\(p.port)")
                o["port"] = .int(p.port)
                if p.proto == "udp" { o["protocol"] = "UDP" }
                if let kept = published.first(where: { $0.hostPortKept && $0.container == p.port && $0.proto == p.proto }) { o["hostPort"] = .int(kept.host) }
                return .object(o)
            })
        }
        return published.filter(\.hostPortKept).map(\.host)
    }

    /// Whether the workload binds a published port on the node itself (claiming it), or why not
    /// (in the report).
    mutating func keepHostPort(_ p: PublishedPort, _ name: String, routedPorts: Set<Int>) -> Bool {
        if let ip = p.hostIP, ip.hasPrefix("127.") || ip == "::1" || ip == "localhost" {
            note(name, "ports", "\(ip):\(p.host):\(p.container) is published on the loopback only (for the host): not published on k3s, the Service reaches it in the cluster", p.mark)
            return false
        }
        if p.proto == "tcp" && routedPorts.contains(p.container) {
            note(name, "ports", "\(p.host):\(p.container) is served through its Traefik route: not published on its own", p.mark)
            return false
        }
        // The pod binds the node's port itself (hostPort): clients keep their own address, as
        // with docker's published ports, which a Traefik TCP route would replace by Traefik's.
        let key = "\(p.proto)/\(p.host)"
        if p.proto == "tcp", p.host == 80 || p.host == 443 {
            note(name, "ports", "\(p.host):\(p.container): the node's port \(p.host) is Traefik's (web/websecure): not converted", p.mark)
            return false
        }
        if let owner = hostPorts[key] {
            note(name, "ports", "\(p.host) is published by \(owner) already: not converted", p.mark)
            return false
        }
        hostPorts[key] = name
        return true
    }
}
