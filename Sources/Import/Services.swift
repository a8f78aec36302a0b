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

    /// What a service's app.workload step collects while it is converted: its `with:`, its counts,
    /// its `needs:` and the text in which it names other services (for ExternalName aliases).
    struct WorkloadDraft {
        let name: String
        let ns: String
        var with = Object()
        var count = ServiceCounts()
        var needs: [String] = ["namespaces"]
        var reference = ""
    }

    func namespace(of service: String) -> String { options.namespaces[service] ?? options.defaultNamespace }

    mutating func convert(_ service: ComposeProject.Service) {
        let name = service.name
        let labels = TraefikLabels.parse(service["labels"], service: name, problems: &problems)
        guard let image = workloadImage(service, labels) else { return }
        let ns = namespace(of: name)
        if !namespaceOrder.contains(ns) { namespaceOrder.append(ns) }
        var id = Self.dnsLabel(name)
        if ["k3s", "namespaces", "volumes", "traefik", "routes"].contains(id) { id = "svc-" + id }
        var draft = WorkloadDraft(name: name, ns: ns)
        draft.with["name"] = .string(Self.dnsLabel(name))
        draft.with["namespace"] = .string(ns)
        convertCommand(service, image: image, &draft)
        convertEnvironment(service, &draft)
        let mounts = convertVolumes(service, &draft)
        let boundPorts = convertPorts(service, labels, &draft)
        if !mounts.isEmpty { draft.with["volumes"] = .array(mounts) }
        // app.workload's rule: a Deployment whose pods must not overlap (a writable data mount, a host
        // port) is replaced with Recreate.
        let writable = mounts.filter { $0["readOnly"]?.boolValue != true }.compactMap { $0["claim"]?.stringValue }
        if draft.with["kind"] == nil, !AppWorkload.recreateReasons(writableClaims: writable, hostPorts: boundPorts).isEmpty { draft.with["strategy"] = "Recreate" }
        if let probe = healthcheck(service["healthcheck"], name) { draft.with["probes"] = Value.obj(["readiness": probe]) }
        if let resources = resources(service, name) { draft.with["resources"] = resources }
        convertUserAndAliases(service, &draft)
        for dependency in dependsOn(service["depends_on"]) {
            let depID = Self.dnsLabel(dependency)
            if project.services.contains(where: { $0.name == dependency }) { draft.needs.append(depID) }
            draft.reference += " " + dependency
        }
        counts[name] = draft.count
        references[name] = draft.reference
        workloads.append((name, id, ns, draft.with, draft.needs, draft.with["ports"] != nil))
    }

    /// The image a service's workload runs, or nil (with the reason in the report) for a service
    /// that does not become a workload.
    mutating func workloadImage(_ service: ComposeProject.Service, _ labels: TraefikLabels) -> String? {
        let name = service.name
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
                return nil
            }
            note(name, "network_mode", "\"\(text)\": not converted (pods have their own network)", mode.mark)
        }
        guard let image else {
            note(name, "build", "no image: build it, push it and name it in `image:`; the service is not converted", service.mark)
            return nil
        }
        if image.hasPrefix("traefik:") || image.hasPrefix("traefik/") || image == "traefik" {
            note(name, "image", "Traefik itself: k3s' bundled Traefik (the traefik.acme step) takes its place; the service and its labels are not converted", service["image"]?.mark ?? service.mark)
            noteRouters(labels, name)
            return nil
        }
        if let problem = Self.imageProblem(image) {
            note(name, "image", "\(problem); the service is not converted until it is pinned (--image \(name)=IMAGE:TAG pins it)", service["image"]?.mark ?? service.mark)
            noteRouters(labels, name)
            return nil
        }
        return image
    }

    /// The keys not converted, the kind (a Job for a service that is not restarted), the image and
    /// the command.
    mutating func convertCommand(_ service: ComposeProject.Service, image: String, _ draft: inout WorkloadDraft) {
        let name = draft.name
        for pair in service.keys {
            let key = pair.key.scalarText ?? ""
            if !Self.handledKeys.contains(key) {
                note(name, key, reasonFor(key), pair.key.mark)
            }
        }
        if let restart = service["restart"]?.scalarText, restart == "no" || restart.hasPrefix("on-failure") {
            draft.with["kind"] = "Job"
            note(name, "restart", "\"\(restart)\": a Job, which runs once to completion; review that it is one", service["restart"]?.mark)
        }
        if let containerName = service["container_name"], containerName.scalarText != name {
            note(name, "container_name", "\"\(containerName.scalarText ?? "")\": the workload is named after the service", containerName.mark)
        }
        draft.with["image"] = .string(image)
        if let node = service["entrypoint"] { draft.with["command"] = .array(words(node, name, "entrypoint").map { .string($0) }) }
        if let node = service["command"] {
            let args = words(node, name, "command")
            draft.with["args"] = .array(args.map { .string($0) })
            draft.reference += " " + args.joined(separator: " ")
        }
    }

    /// The numeric user, and the network aliases other than the service's own name: ExternalName
    /// aliases in its namespace.
    mutating func convertUserAndAliases(_ service: ComposeProject.Service, _ draft: inout WorkloadDraft) {
        let name = draft.name
        if let node = service["user"] {
            let user = interpolate(node.scalarText ?? "", service: name, key: "user", mark: node.mark, record: false).resolved
            let parts = user.split(separator: ":", omittingEmptySubsequences: false).map { $0 == "root" ? "0" : String($0) }
            if !user.isEmpty && parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) { draft.with["user"] = .string(parts.joined(separator: ":")) }
            else if !user.isEmpty { note(name, "user", "\"\(user)\" is a name: Kubernetes runs containers by number; not converted (the image's user applies)", node.mark) }
        }
        var aliasNames: [String] = []
        for network in service["networks"]?.mapping ?? [] {
            for alias in network.value["aliases"]?.sequence ?? [] {
                guard let text = alias.scalarText, text != name, !aliasNames.contains(text) else { continue }
                if Self.dnsLabel(text) == text { aliasNames.append(text) }
                else { note(name, "networks", "alias \"\(text)\" is not a valid Service name: not converted", alias.mark) }
            }
        }
        if !aliasNames.isEmpty { draft.with["aliases"] = .array(aliasNames.map { Value.obj(["name": .string($0)]) }) }
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
