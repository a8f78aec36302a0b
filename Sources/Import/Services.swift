import Platform
import Document
import FoundationEssentials
import Steps

extension Converter {
    static let handledKeys: Set<String> = [
        "image", "command", "entrypoint", "environment", "env_file", "ports", "expose", "user", "healthcheck",
        "mem_limit", "mem_reservation", "cpus", "deploy", "restart", "depends_on", "volumes", "labels", "networks",
        "container_name", "network_mode",
    ]

    mutating func run() {
        for other in project.otherKeys {
            let key = other.key.scalarText ?? ""
            let reason = key == "networks" ? "compose networks: Kubernetes has one pod network; namespaces (--namespace) and Service names take their place"
                : key.hasPrefix("x-") ? "an extension field: its anchors were applied where used" : "a top-level \(key) section: not converted"
            note("(compose)", key, reason, other.key.mark)
        }
        // Middlewares defined by labels are global in Traefik's docker provider.
        for service in project.services {
            let labels = TraefikLabels.parse(service["labels"], service: service.name, problems: &problems)
            for m in labels.http.middlewares where labelMiddlewares[m.name] == nil { labelMiddlewares[m.name] = (m.options, service.name) }
        }
        for service in project.services { convert(service) }
        addAliases()
    }

    func namespace(of service: String) -> String { options.namespaces[service] ?? options.defaultNamespace }

    mutating func convert(_ service: ComposeProject.Service) {
        let name = service.name
        let labels = TraefikLabels.parse(service["labels"], service: name, problems: &problems)
        var image = service["image"].map { interpolate($0.scalarText ?? "", service: name, key: "image", mark: $0.mark, record: false).resolved }
        if let given = options.images[name] {
            note(name, "image", "\(given) from --image in place of \"\(image ?? "")\": check it is what the compose host runs (docker inspect)", service["image"]?.mark ?? service.mark)
            image = given
        }
        if let image, image.hasPrefix("traefik:") || image.hasPrefix("traefik/") || image == "traefik" { noteACMEStore(service) }
        // Services that do not become workloads, with the reason.
        if let mode = service["network_mode"] {
            let text = mode.scalarText ?? ""
            if text == "host" {
                note(name, "network_mode", "host network: app.workload runs pods on the cluster network, so this service stays on the compose host (README, \"from docker-compose\"); the whole service is not converted", mode.mark)
                noteRouters(labels, name)
                return
            }
            note(name, "network_mode", "\"\(text)\": not converted (pods have their own network)", mode.mark)
        }
        guard let image else {
            note(name, "build", "no image: build it, push it and name it in `image:`; the service is not converted", service.mark)
            return
        }
        if image.hasPrefix("traefik:") || image.hasPrefix("traefik/") || image == "traefik" {
            note(name, "image", "Traefik itself: k3s' bundled Traefik (the traefik.acme step) takes its place; the service and its labels are not converted", service["image"]?.mark ?? service.mark)
            noteRouters(labels, name)
            return
        }
        if let problem = Self.imageProblem(image) {
            note(name, "image", "\(problem); the service is not converted until it is pinned (--image \(name)=IMAGE:TAG pins it)", service["image"]?.mark ?? service.mark)
            noteRouters(labels, name)
            return
        }
        let ns = namespace(of: name)
        if !namespaceOrder.contains(ns) { namespaceOrder.append(ns) }
        var id = Self.dnsLabel(name)
        if ["k3s", "namespaces", "volumes", "traefik", "routes"].contains(id) { id = "svc-" + id }
        var with = Object()
        var count = ServiceCounts()
        var needs: [String] = ["namespaces"]
        var reference = ""
        with["name"] = .string(Self.dnsLabel(name))
        with["namespace"] = .string(ns)

        for pair in service.keys {
            let key = pair.key.scalarText ?? ""
            if !Self.handledKeys.contains(key) {
                note(name, key, reasonFor(key), pair.key.mark)
            }
        }
        if let restart = service["restart"]?.scalarText, restart == "no" || restart.hasPrefix("on-failure") {
            with["kind"] = "Job"
            note(name, "restart", "\"\(restart)\": a Job, which runs once to completion; review that it is one", service["restart"]?.mark)
        }
        if let containerName = service["container_name"], containerName.scalarText != name {
            note(name, "container_name", "\"\(containerName.scalarText ?? "")\": the workload is named after the service", containerName.mark)
        }
        with["image"] = .string(image)
        if let node = service["entrypoint"] { with["command"] = .array(words(node, name, "entrypoint").map { .string($0) }) }
        if let node = service["command"] {
            let args = words(node, name, "command")
            with["args"] = .array(args.map { .string($0) })
            reference += " " + args.joined(separator: " ")
        }

        // Environment: env files (secret lines move to the Secret), then `environment:`.
        var env = Object(), secretEnv = Object(), envFiles: [Value] = []
        for fileNode in listOrScalar(service["env_file"]) {
            let relative = fileNode.scalarText ?? ""
            let source = resolve(relative)
            guard let text = try? TextFile.read(source) else {
                note(name, "env_file", "\(relative) cannot be read beside the compose file: not converted (copy it there and import again)", fileNode.mark)
                continue
            }
            let outPath = outputPath(relative)
            let group = Self.dnsLabel(URL(fileURLWithPath: relative).deletingPathExtension().lastPathComponent)
            var kept: [String] = []
            let entries = EnvFile.parse(text)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if let entry = entries.first(where: { $0.line == index + 1 }), options.rules.isSecret(key: entry.key, value: entry.value) {
                    kept.append("# \(entry.key): a secret, in secretEnv (secrets.\(group).\(entry.key))")
                    secretEnv[entry.key] = .string(addSecret(group, entry.key, "\(relative): \(entry.key)", value: entry.value))
                } else if let commented = EnvFile.parse(String(line.drop { $0 == "#" || $0 == " " })).first,
                          line.trimming(.whitespace).hasPrefix("#"), options.rules.isSecret(key: commented.key, value: commented.value) {
                    // A commented-out secret is still a secret: its value is not copied.
                    kept.append("# \(commented.key): commented out in \(relative), a secret: not copied")
                } else {
                    if let entry = entries.first(where: { $0.line == index + 1 }) { reference += " " + entry.value }
                    kept.append(String(line))
                }
            }
            files[outPath] = kept.joined(separator: "\n")
            envFiles.append(.string(outPath))
            count.envFiles += 1
        }
        for (key, valueNode, mark) in environment(service["environment"], name) {
            guard let valueNode else {
                note(name, "environment.\(key)", "no value: compose takes it from the shell that runs it; not converted", mark)
                continue
            }
            let raw = valueNode.scalarText ?? JSON.encode(valueNode.resolved)
            let value = interpolate(raw, service: name, key: "environment.\(key)", mark: valueNode.mark)
            if value.secret || options.rules.isSecret(key: key, value: value.resolved) {
                secretEnv[key] = .string(addSecret(Self.dnsLabel(name), key, "environment.\(key) of \(name)", value: value.resolved))
            } else {
                env[key] = .string(value.playbook)
                reference += " " + value.resolved
            }
        }
        if !envFiles.isEmpty { with["envFiles"] = .array(envFiles) }
        if !env.isEmpty { with["env"] = .object(env) }
        if !secretEnv.isEmpty { with["secretEnv"] = .object(sorted(secretEnv)); count.secretEnv = secretEnv.count }

        // Volumes: ./data -> local volumes, ./config -> files, the rest reported.
        var fileEntries: [(String, Value)] = [], mounts: [Value] = []
        for item in service["volumes"]?.sequence ?? [] {
            guard let mount = parseMount(item, name) else { continue }
            let source = mount.source
            let stripped = source.hasPrefix("./") ? String(source.dropFirst(2)) : source
            if stripped.hasPrefix("data/") {
                let rest = stripped.dropFirst(5).split(separator: "/").map(String.init)
                guard let folder = rest.first else { note(name, "volumes", "\(source): the whole data folder: not converted", item.mark); continue }
                let volume = Self.dnsLabel(folder)
                if let existing = volumes[folder] {
                    if existing.namespace != ns {
                        note(name, "volumes", "\(source): its volume \(existing.name) is in namespace \(existing.namespace), a claim cannot be shared across namespaces: not converted", item.mark)
                        continue
                    }
                } else {
                    volumes[folder] = (volume, ns); volumeOrder.append(folder)
                }
                var m = Object()
                m["claim"] = .string(volume + "-pvc")
                m["mountPath"] = .string(mount.target.count > 1 && mount.target.hasSuffix("/") ? String(mount.target.dropLast()) : mount.target)
                if rest.count > 1 { m["subPath"] = .string(rest.dropFirst().joined(separator: "/")) }
                if mount.readOnly { m["readOnly"] = true }
                mounts.append(.object(m))
                count.dataMounts += 1
                if !needs.contains("volumes") { needs.append("volumes") }
            } else if stripped.hasPrefix("config/") {
                let path = resolve(source)
                guard let info = (try? FileInfo.of(path, followingLinks: true)) ?? nil else {
                    note(name, "volumes", "\(source) is not beside the compose file: not converted (copy it there and import again)", item.mark)
                    continue
                }
                let listed: [(String, String)] = info.kind == .directory
                    ? ((try? Files.listTree(path)) ?? []).filter {
                        ((try? FileInfo.of(path + "/" + $0, followingLinks: true)) ?? nil)?.kind != .directory
                    }.map { (stripped.trimming(.characters("/")) + "/" + $0, (mount.target.hasSuffix("/") ? String(mount.target.dropLast()) : mount.target) + "/" + $0) }
                    : [(stripped, mount.target)]
                for (relative, target) in listed {
                    guard let content = try? TextFile.read(resolve(relative)) else {
                        note(name, "volumes", "\(relative) is not a UTF-8 text file: not converted", item.mark)
                        continue
                    }
                    // The container saw the host file's mode through the bind mount; its read and
                    // execute bits are what matter on a read-only mount (write bits do nothing there).
                    let mode = ((try? FileInfo.of(resolve(relative), followingLinks: true)) ?? nil).map { Self.octal(Int($0.mode) & 0o555) } ?? "0444"
                    if let bits = Int(mode, radix: 8), bits & 0o004 == 0 {
                        note(name, "volumes", "\(relative): mode \(mode) kept from the host file: others cannot read it, so app.workload accepts it "
                            + "only for a container known to run as root, or with user: \"UID:GID\" and a group-readable mode; review", item.mark)
                    }
                    if options.rules.isSecretFile(path: relative, content: content) {
                        let key = Self.dnsLabel(relative.hasPrefix("config/") ? String(relative.dropFirst("config/".count)) : relative)
                        fileEntries.append((target, Value.obj(["secret": .string(addSecret("files", key, "the content of \(relative)")), "mode": .string(mode)])))
                    } else {
                        files[options.filesFolder + relative] = content
                        var entry = Object([("from", .string(options.filesFolder + relative))])
                        // A ConfigMap file's default, 0644, reads the same; only another mode is written.
                        if mode != "0444" { entry["mode"] = .string(mode) }
                        fileEntries.append((target, .object(entry)))
                        reference += " " + content
                    }
                    count.files += 1
                }
            } else if source.hasPrefix("/") || source.hasPrefix(".") || source.hasPrefix("~") {
                note(name, "volumes", "host path \(source): only ./data and ./config are converted", item.mark)
            } else {
                note(name, "volumes", "named volume \(source): not converted (a storage.local-volumes volume can take its place)", item.mark)
            }
        }
        if !fileEntries.isEmpty {
            var object = Object()
            for (target, value) in fileEntries.sorted(by: { $0.0 < $1.0 }) {
                if object[target] != nil { note(name, "volumes", "\(target) is mounted twice: the last one is kept", service["volumes"]?.mark) }
                object[target] = value
            }
            with["files"] = .object(object)
        }

        // Ports: expose, ports, Traefik's service ports.
        var ports: [(port: Int, proto: String)] = []
        func addPort(_ port: Int, _ proto: String) { if !ports.contains(where: { $0 == (port, proto) }) { ports.append((port, proto)) } }
        for item in service["expose"]?.sequence ?? [] {
            let text = (item.scalarText ?? "").split(separator: "/").map(String.init)
            if let port = Int(text.first ?? ""), (1...65535).contains(port) { addPort(port, text.count > 1 ? text[1].lowercased() : "tcp") }
            else { problems.append(.error("service \"\(name)\": expose \"\(item.scalarText ?? "")\" is not a port", at: item.mark)) }
        }
        var published: [(hostIP: String?, host: Int, container: Int, proto: String, mark: Mark, hostPortKept: Bool)] = []
        for item in service["ports"]?.sequence ?? [] {
            guard let p = parsePort(item, name) else { continue }
            addPort(p.container, p.proto)
            if let host = p.host { published.append((p.hostIP, host, p.container, p.proto, item.mark, false)) }
        }
        var routedPorts: Set<Int> = []
        if labels.enabled || labels.http.routers.isEmpty == false || labels.tcp.routers.isEmpty == false {
            convertLabels(labels, service: name, ns: ns, ports: &ports, routedPorts: &routedPorts, count: &count)
        }
        for entry in labels.other { note(name, "labels", "\(entry.key)=\(entry.setting.value): not a Traefik label, not converted", entry.setting.mark) }
        for index in published.indices {
            let p = published[index]
            if let ip = p.hostIP, ip.hasPrefix("127.") || ip == "::1" || ip == "localhost" {
                note(name, "ports", "\(ip):\(p.host):\(p.container) is published on the loopback only (for the host): not published on k3s, the Service reaches it in the cluster", p.mark)
                continue
            }
            if p.proto == "tcp" && routedPorts.contains(p.container) {
                note(name, "ports", "\(p.host):\(p.container) is served through its Traefik route: not published on its own", p.mark)
                continue
            }
            // The pod binds the node's port itself (hostPort): clients keep their own address, as
            // with docker's published ports, which a Traefik TCP route would replace by Traefik's.
            let key = "\(p.proto)/\(p.host)"
            if p.proto == "tcp", p.host == 80 || p.host == 443 {
                note(name, "ports", "\(p.host):\(p.container): the node's port \(p.host) is Traefik's (web/websecure): not converted", p.mark)
                continue
            }
            if let owner = hostPorts[key] {
                note(name, "ports", "\(p.host) is published by \(owner) already: not converted", p.mark)
                continue
            }
            hostPorts[key] = name
            published[index].hostPortKept = true
            count.hostPorts += 1
        }
        if !ports.isEmpty {
            with["ports"] = .array(ports.map { p in
                var o = Object()
                o["name"] = .string("\(p.proto)-\(p.port)")
                o["port"] = .int(p.port)
                if p.proto == "udp" { o["protocol"] = "UDP" }
                if let kept = published.first(where: { $0.hostPortKept && $0.container == p.port && $0.proto == p.proto }) { o["hostPort"] = .int(kept.host) }
                return .object(o)
            })
        }
        if !mounts.isEmpty { with["volumes"] = .array(mounts) }
        // app.workload's rule: a Deployment whose pods must not overlap (a writable data mount, a host
        // port) is replaced with Recreate.
        let writable = mounts.filter { $0["readOnly"]?.boolValue != true }.compactMap { $0["claim"]?.stringValue }
        let bound = published.filter(\.hostPortKept).map(\.host)
        if with["kind"] == nil, !AppWorkload.recreateReasons(writableClaims: writable, hostPorts: bound).isEmpty { with["strategy"] = "Recreate" }
        if let probe = healthcheck(service["healthcheck"], name) { with["probes"] = Value.obj(["readiness": probe]) }
        if let resources = resources(service, name) { with["resources"] = resources }
        if let node = service["user"] {
            let user = interpolate(node.scalarText ?? "", service: name, key: "user", mark: node.mark, record: false).resolved
            let parts = user.split(separator: ":", omittingEmptySubsequences: false).map { $0 == "root" ? "0" : String($0) }
            if !user.isEmpty && parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) { with["user"] = .string(parts.joined(separator: ":")) }
            else if !user.isEmpty { note(name, "user", "\"\(user)\" is a name: Kubernetes runs containers by number; not converted (the image's user applies)", node.mark) }
        }
        // Network aliases other than the service's own name: ExternalName aliases in its namespace.
        var aliasNames: [String] = []
        for network in service["networks"]?.mapping ?? [] {
            for alias in network.value["aliases"]?.sequence ?? [] {
                guard let text = alias.scalarText, text != name, !aliasNames.contains(text) else { continue }
                if Self.dnsLabel(text) == text { aliasNames.append(text) }
                else { note(name, "networks", "alias \"\(text)\" is not a valid Service name: not converted", alias.mark) }
            }
        }
        if !aliasNames.isEmpty { with["aliases"] = .array(aliasNames.map { Value.obj(["name": .string($0)]) }) }
        for dependency in dependsOn(service["depends_on"]) {
            let depID = Self.dnsLabel(dependency)
            if project.services.contains(where: { $0.name == dependency }) { needs.append(depID) }
            reference += " " + dependency
        }
        counts[name] = count
        references[name] = reference
        workloads.append((name, id, ns, with, needs, !ports.isEmpty))
    }

    /// The routers of a service that is not converted, each named in the report.
    mutating func noteRouters(_ labels: TraefikLabels, _ service: String) {
        for (proto, sections) in [("http", labels.http), ("tcp", labels.tcp), ("udp", labels.udp)] {
            for router in sections.routers {
                note(service, "labels", "\(proto) router \(router.name): not converted with its service", router.options.first?.setting.mark)
            }
        }
    }

    func reasonFor(_ key: String) -> String {
        switch key {
        case "build": return "built images are not converted: push the image and name it"
        case "hostname", "domainname": return "pods take their name from the workload"
        case "logging": return "container logs go to the node's kubelet (kubectl logs)"
        case "ulimits": return "Kubernetes sets no per-pod ulimits: the node's limits apply"
        case "extra_hosts": return "add the names to the cluster DNS or a hostAliases patch by hand"
        case "privileged", "cap_add", "cap_drop", "security_opt", "devices": return "app.workload runs unprivileged with the default capabilities"
        case "stop_grace_period", "stop_signal": return "Kubernetes' default termination applies"
        default: return "not converted"
        }
    }

    /// Compose's Traefik keeps its ACME account and certificates in `acme.json` (faf-stack:
    /// `./config/faf-traefik/acme.json`, mounted at /etc/traefik): traefik.acme starts an empty
    /// store on its own claim, so the report says how to carry the certificates over.
    mutating func noteACMEStore(_ service: ComposeProject.Service) {
        for volume in service["volumes"]?.sequence ?? [] {
            guard let spec = volume.scalarText ?? volume["source"]?.scalarText else { continue }
            let source = String(spec.split(separator: ":", maxSplits: 1).first ?? "")
            guard source.hasPrefix(".") || source.hasPrefix("/") else { continue }
            let path = resolve(source)
            let store = source.hasSuffix("acme.json") ? source : source + "/acme.json"
            guard source.hasSuffix("acme.json") || Files.exists(path + "/acme.json") else { continue }
            note(service.name, "volumes", "\(store) holds the ACME account and the certificates compose's Traefik obtained: traefik.acme "
                + "starts an empty store on its storage claim, and Traefik asks Let's Encrypt again (rate limits: 5 certificates per "
                + "set of names a week). To keep them, copy acme.json into that volume before the first apply (owner 65532:65532, mode 0600); "
                + "it holds the account's private key: never into the playbook", volume.mark)
        }
    }

    func resolve(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : project.directory + "/" + (relative.hasPrefix("./") ? String(relative.dropFirst(2)) : relative)
    }

    func outputPath(_ relative: String) -> String {
        let stripped = relative.hasPrefix("./") ? String(relative.dropFirst(2)) : relative
        return options.filesFolder + (stripped.hasPrefix("/") ? "env/" + URL(fileURLWithPath: stripped).lastPathComponent : stripped)
    }

    func sorted(_ object: Object) -> Object { Object(object.keys.sorted().map { ($0, object[$0]!) }) }

    func listOrScalar(_ node: Node?) -> [Node] {
        guard let node else { return [] }
        if let items = node.sequence { return items.map { $0["path"] ?? $0 } }
        return [node]
    }

    mutating func words(_ node: Node, _ service: String, _ key: String) -> [String] {
        if let items = node.sequence {
            return items.map { interpolate($0.scalarText ?? "", service: service, key: key, mark: $0.mark).playbook }
        }
        let text = interpolate(node.scalarText ?? "", service: service, key: key, mark: node.mark).playbook
        var out: [String] = [], current = "", quote: Character?, any = false
        for c in text {
            if let q = quote { if c == q { quote = nil } else { current.append(c) }; continue }
            if c == "'" || c == "\"" { quote = c; any = true; continue }
            if c == " " || c == "\t" { if any || !current.isEmpty { out.append(current) }; current = ""; any = false; continue }
            current.append(c)
        }
        if any || !current.isEmpty { out.append(current) }
        return out
    }

    mutating func environment(_ node: Node?, _ service: String) -> [(String, Node?, Mark)] {
        guard let node else { return [] }
        if let pairs = node.mapping {
            return pairs.map { pair in
                let isNull: Bool = { if case .null = pair.value.resolved { return true } else { return false } }()
                return (pair.key.scalarText ?? "", isNull ? nil : pair.value, pair.key.mark)
            }
        }
        return (node.sequence ?? []).map { item in
            let text = item.scalarText ?? ""
            guard let eq = text.firstIndex(of: "=") else { return (text, nil, item.mark) }
            return (String(text[..<eq]), Node(.scalar(String(text[text.index(after: eq)...]), .doubleQuoted, tag: nil), at: item.mark), item.mark)
        }
    }

    struct Mount { var source: String; var target: String; var readOnly: Bool }

    mutating func parseMount(_ item: Node, _ service: String) -> Mount? {
        if let text = item.scalarText {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, !parts[0].isEmpty, parts[1].hasPrefix("/") else {
                if parts.count == 1 { note(service, "volumes", "\(text): an anonymous volume, not converted", item.mark); return nil }
                problems.append(.error("service \"\(service)\": volume \"\(text)\" is not SOURCE:TARGET[:MODE]", at: item.mark)); return nil
            }
            let modes = parts.count > 2 ? parts[2].split(separator: ",").map(String.init) : []
            return Mount(source: interpolate(parts[0], service: service, key: "volumes", mark: item.mark, record: false).resolved, target: parts[1], readOnly: modes.contains("ro"))
        }
        guard let source = item["source"]?.scalarText, let target = item["target"]?.scalarText else {
            problems.append(.error("service \"\(service)\": a volume needs source and target", at: item.mark)); return nil
        }
        return Mount(source: source, target: target, readOnly: item["read_only"]?.resolved.boolValue == true)
    }

    mutating func parsePort(_ item: Node, _ service: String) -> (hostIP: String?, host: Int?, container: Int, proto: String)? {
        if item.mapping != nil {
            guard let target = item["target"]?.resolved.intValue else {
                problems.append(.error("service \"\(service)\": a port needs a target", at: item.mark)); return nil
            }
            let published = item["published"].flatMap { Int($0.scalarText ?? "") }
            return (item["host_ip"]?.scalarText, published, target, item["protocol"]?.scalarText?.lowercased() ?? "tcp")
        }
        let text = item.scalarText ?? ""
        let protoSplit = text.split(separator: "/").map(String.init)
        let proto = protoSplit.count > 1 ? protoSplit[1].lowercased() : "tcp"
        let parts = (protoSplit.first ?? "").split(separator: ":").map(String.init)
        let numbers = parts.suffix(2).map { Int($0) }
        guard !parts.isEmpty, parts.count <= 3, numbers.allSatisfy({ $0 != nil && (1...65535).contains($0!) }), ["tcp", "udp"].contains(proto) else {
            if text.contains("-") { note(service, "ports", "\(text): port ranges are not converted", item.mark); return nil }
            problems.append(.error("service \"\(service)\": port \"\(text)\" is not [IP:][HOST:]CONTAINER[/PROTOCOL]", at: item.mark)); return nil
        }
        switch parts.count {
        case 1: return (nil, nil, numbers[0]!, proto)
        case 2: return (nil, numbers[0]!, numbers[1]!, proto)
        default: return (parts[0], numbers[0]!, numbers[1]!, proto)
        }
    }

    func dependsOn(_ node: Node?) -> [String] {
        guard let node else { return [] }
        if let items = node.sequence { return items.compactMap(\.scalarText) }
        return (node.mapping ?? []).compactMap { $0.key.scalarText }
    }

    static func seconds(_ text: String) -> Int? {
        var total = 0.0, number = "", matched = false
        for c in text {
            if c.isNumber || c == "." { number.append(c); continue }
            guard let n = Double(number) else { return nil }
            switch c { case "h": total += n * 3600; case "m": total += n * 60; case "s": total += n; default: return nil }
            number = ""; matched = true
        }
        if !number.isEmpty { guard let n = Double(number) else { return nil }; total += n; matched = true }
        return matched ? max(1, Int(total.rounded())) : nil
    }

    mutating func healthcheck(_ node: Node?, _ service: String) -> Value? {
        guard let node else { return nil }
        if node["disable"]?.resolved.boolValue == true { return nil }
        var command: [String] = []
        if let test = node["test"] {
            if let items = test.sequence?.compactMap(\.scalarText), let first = items.first {
                switch first {
                case "NONE": return nil
                case "CMD": command = Array(items.dropFirst())
                case "CMD-SHELL": command = ["sh", "-c", items.dropFirst().joined(separator: " ")]
                default: command = items
                }
            } else if let text = test.scalarText { command = ["sh", "-c", text] }
        }
        guard !command.isEmpty else { note(service, "healthcheck", "no test: not converted", node.mark); return nil }
        var probe = Object()
        probe["exec"] = Value.obj(["command": .array(command.map { .string($0) })])
        if let s = node["start_period"]?.scalarText.flatMap(Self.seconds) { probe["initialDelaySeconds"] = .int(s) }
        if let s = node["interval"]?.scalarText.flatMap(Self.seconds) { probe["periodSeconds"] = .int(s) }
        if let s = node["timeout"]?.scalarText.flatMap(Self.seconds) { probe["timeoutSeconds"] = .int(s) }
        if let r = node["retries"]?.resolved.intValue { probe["failureThreshold"] = .int(r) }
        return .object(probe)
    }

    static func memory(_ text: String) -> String? {
        let lower = text.lowercased().replacing("b", with: "")
        guard let last = lower.last else { return nil }
        if last.isNumber { return Int(lower).map(String.init) }
        guard let n = Int(lower.dropLast()) else { return nil }
        switch last { case "k": return "\(n)Ki"; case "m": return "\(n)Mi"; case "g": return "\(n)Gi"; default: return nil }
    }

    static func cpu(_ text: String) -> String? {
        guard let d = Double(text), d > 0 else { return nil }
        let milli = Int((d * 1000).rounded())
        return milli % 1000 == 0 ? "\(milli / 1000)" : "\(milli)m"
    }

    mutating func resources(_ service: ComposeProject.Service, _ name: String) -> Value? {
        var limits = Object(), requests = Object()
        if let n = service["mem_limit"], let m = n.scalarText.flatMap(Self.memory) { limits["memory"] = .string(m) }
        if let n = service["mem_reservation"], let m = n.scalarText.flatMap(Self.memory) { requests["memory"] = .string(m) }
        if let n = service["cpus"], let c = n.scalarText.flatMap(Self.cpu) { limits["cpu"] = .string(c) }
        if let deploy = service["deploy"] {
            for pair in deploy.mapping ?? [] where pair.key.scalarText != "resources" {
                note(name, "deploy.\(pair.key.scalarText ?? "")", "only deploy.resources is converted", pair.key.mark)
            }
            for (section, target) in [("limits", true), ("reservations", false)] {
                guard let node = deploy["resources"]?[section] else { continue }
                if let m = node["memory"]?.scalarText.flatMap(Self.memory) { if target { limits["memory"] = .string(m) } else { requests["memory"] = .string(m) } }
                if let c = node["cpus"]?.scalarText.flatMap(Self.cpu) { if target { limits["cpu"] = .string(c) } else { requests["cpu"] = .string(c) } }
            }
        }
        if limits.isEmpty && requests.isEmpty {
            note(name, "resources", "no limits in compose: the namespace's defaults apply (kube.namespaces defaultResources); review them", service.mark)
            return nil
        }
        var out = Object()
        if !requests.isEmpty { out["requests"] = .object(requests) }
        if !limits.isEmpty { out["limits"] = .object(limits) }
        return .object(out)
    }

    /// A file mode as app.workload writes it: four octal digits.
    static func octal(_ mode: Int) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Why an image is not pinned (app.workload refuses it), or nil.
    static func imageProblem(_ image: String) -> String? {
        if image.contains("@sha256:") { return nil }
        let last = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = last.lastIndex(of: ":") else { return "image \"\(image)\" has no tag" }
        if last[last.index(after: colon)...] == "latest" { return "image \"\(image)\" is not pinned (latest)" }
        return nil
    }

    /// ExternalName aliases: a workload named (as a compose host name) by a service of another
    /// namespace gets an alias there.
    mutating func addAliases() {
        for index in workloads.indices where workloads[index].ports {
            let target = workloads[index]
            var namespaces: [String] = []
            for other in workloads where other.namespace != target.namespace && !namespaces.contains(other.namespace) {
                if Self.names(references[other.service] ?? "", target.service) { namespaces.append(other.namespace) }
            }
            if !namespaces.isEmpty {
                let existing = workloads[index].with["aliases"]?.arrayValue ?? []
                workloads[index].with["aliases"] = .array(existing + namespaces.sorted().map { Value.obj(["namespace": .string($0)]) })
            }
        }
    }

    /// Whether `text` names `host` as a whole host name.
    static func names(_ text: String, _ host: String) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let found = text[searchRange].firstRange(of: host) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            let isPart: (Character?) -> Bool = { c in c.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." } ?? false }
            if !isPart(before) && !isPart(after) { return true }
            searchRange = found.upperBound..<text.endIndex
        }
        return false
    }
}
