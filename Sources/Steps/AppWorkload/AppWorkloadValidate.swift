import Platform
import Document
import Engine
import Kube

extension AppWorkload {
    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        // The workload's name also names its Service: a DNS label.
        if !KubeNames.isDNSLabel(p.name) {
            problems.append(context.error("name \"\(p.name)\" must be lowercase letters, digits and '-', at most 63 (it names the Service too)", at: "name"))
        }
        if !KubeNames.isDNSLabel(p.namespace) {
            problems.append(context.error("namespace \"\(p.namespace)\" is not a valid namespace name", at: "namespace"))
        }
        if let problem = imageProblem(p.image) { problems.append(context.error(problem, at: "image")) }
        if let problem = ImageSources.temporaryProblem(p.image) { problems.append(context.error("image \(problem)", at: "image")) }
        if let replicas = p.replicas {
            if p.kindChoice == .Job { problems.append(context.error("replicas does not apply to a Job (it runs one pod to completion)", at: "replicas")) }
            else if !(0...100).contains(replicas) { problems.append(context.error("replicas \(replicas) must be between 0 and 100", at: "replicas")) }
        }
        if p.backoffLimit != nil, p.kindChoice != .Job {
            problems.append(context.error("backoffLimit applies only to kind Job", at: "backoffLimit"))
        }
        if let timeout = p.timeout, GoDuration.parse(timeout) == nil {
            problems.append(context.error("timeout \"\(timeout)\" is not a duration such as 5m or 90s", at: "timeout"))
        }
        if let settle = p.settle, GoDuration.parse(settle) == nil {
            problems.append(context.error("settle \"\(settle)\" is not a duration such as 10s or 1m", at: "settle"))
        }
        if p.settle != nil, p.kindChoice == .Job {
            problems.append(context.error("settle does not apply to a Job (it runs to completion, it does not stay up)", at: "settle"))
        }
        problems += checkStrategy(p, context)
        problems += checkEnv(p, context)
        problems += checkFiles(p, context)
        problems += checkFileModes(p, context)
        problems += checkPorts(p, context)
        problems += checkHostPorts(p, context)
        problems += checkVolumes(p, context)
        problems += checkLimits(p, context)
        problems += checkTuning(p, context)
        if let user = p.user, !isNumericUser(user) {
            problems.append(context.error("user \"\(user)\" must be numeric, UID or UID:GID (Kubernetes runs containers by number)", at: "user"))
        }
        var aliasNames: Set<String> = []
        for (index, alias) in (p.aliases ?? []).enumerated() {
            let name = alias.name ?? p.name
            let namespace = alias.namespace ?? p.namespace
            if !KubeNames.isDNSLabel(name) { problems.append(context.error("alias name \"\(name)\" is not a valid Service name", at: "aliases", String(index), "name")) }
            if !KubeNames.isDNSLabel(namespace) { problems.append(context.error("alias namespace \"\(namespace)\" is not a valid namespace name", at: "aliases", String(index), "namespace")) }
            if name == p.name && namespace == p.namespace {
                problems.append(context.error("alias \(namespace)/\(name) is the workload's own Service", at: "aliases", String(index)))
            }
            if !aliasNames.insert("\(namespace)/\(name)").inserted {
                problems.append(context.error("alias \(namespace)/\(name) is listed twice", at: "aliases", String(index)))
            }
            if (p.ports ?? []).isEmpty { problems.append(context.error("aliases need ports: an alias names the workload's Service", at: "aliases", String(index))) }
        }
        if let smoke = p.smoke {
            if p.kindChoice == .Job { problems.append(context.error("smoke does not apply to a Job", at: "smoke")) }
            problems += checkPortReference(smoke.http.port, p, context, at: ["smoke", "http", "port"])
            if !smoke.http.path.hasPrefix("/") { problems.append(context.error("smoke path \"\(smoke.http.path)\" must start with /", at: "smoke", "http", "path")) }
        }
        return problems
    }

    /// Why an image reference is not pinned, or nil: a tag other than `latest`, or a digest.
    static func imageProblem(_ image: String) -> String? {
        if image.isEmpty || image.contains(where: { $0.isWhitespace }) { return "image \"\(image)\" is not an image reference" }
        if image.contains("@sha256:") { return nil }
        // The tag follows the last ':' after the last '/' (a registry's port has a '/' after it).
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else {
            return "image \"\(image)\" has no tag: pin one (\(image):1.2.3) or a digest, so a re-run deploys the same image"
        }
        let tag = lastComponent[lastComponent.index(after: colon)...]
        if tag.isEmpty { return "image \"\(image)\" has an empty tag" }
        if tag == "latest" { return "image \"\(image)\" is not pinned: \"latest\" moves; pin a version or a digest" }
        return nil
    }

    static func isNumericUser(_ user: String) -> Bool {
        let parts = user.split(separator: ":", omittingEmptySubsequences: false)
        return (1...2).contains(parts.count) && parts.allSatisfy { Scan.digits($0) }
    }

    /// A C identifier: what every shell and runtime takes as an environment variable name.
    static func isEnvName(_ name: String) -> Bool {
        Scan.word(name, first: Scan.with(Scan.with(Scan.lower, "_"), "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                  rest: Scan.with(Scan.alnum, "_"))
    }

    static func checkEnv(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for (name, value) in p.env ?? [:] {
            if !isEnvName(name) { problems.append(context.error("env name \"\(name)\" is not a valid variable name (letters, digits, '_', not starting with a digit)", at: "env", name)) }
            if value.containsSensitive {
                problems.append(context.error("env.\(name) takes a secret, but env is stored in a ConfigMap in plain text; "
                    + "move it to secretEnv.\(name), which bootstrap keeps in a Secret", at: "env", name))
            } else if envText(value) == nil {
                problems.append(context.error("env.\(name) must be text, a number or true/false, found \(value.typeName)", at: "env", name))
            }
            if p.secretEnv?[name] != nil { problems.append(context.error("\(name) is in both env and secretEnv", at: "env", name)) }
        }
        for name in (p.secretEnv ?? [:]).keys where !isEnvName(name) {
            problems.append(context.error("secretEnv name \"\(name)\" is not a valid variable name", at: "secretEnv", name))
        }
        for (index, file) in (p.envFiles ?? []).enumerated() {
            guard let content = file.content else { continue }
            for entry in EnvFile.parse(content) {
                if let problem = entry.problem {
                    problems.append(context.error("\(file.path) line \(entry.line): \(problem)", at: "envFiles", String(index)))
                } else if !isEnvName(entry.name) {
                    problems.append(context.error("\(file.path) line \(entry.line): \"\(entry.name)\" is not a valid variable name", at: "envFiles", String(index)))
                } else if p.secretEnv?[entry.name] == nil, !entry.value.isEmpty,
                          SecretVariables.isSecret(name: entry.name, value: entry.value) {
                    problems.append(context.warning("\(file.path) line \(entry.line): \(entry.name) looks like a secret in a ConfigMap; "
                        + "take it out of the file and set secretEnv.\(entry.name) from the secrets file", at: "envFiles", String(index)))
                }
            }
        }
        return problems
    }

    static func envText(_ value: Value) -> String? {
        switch value {
        case .string(let s): return s
        case .int, .double, .bool: return JSON.encode(value)
        default: return nil
        }
    }

    static func checkFiles(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var keys: [String: String] = [:]
        for (path, file) in p.files ?? [:] {
            if !path.hasPrefix("/") || path.hasSuffix("/") || path.split(separator: "/").contains("..") {
                problems.append(context.error("file \"\(path)\" must be an absolute file path in the container", at: "files", path))
            }
            let sources = [file.from != nil, file.content != nil, file.secret != nil].filter { $0 }.count
            if sources != 1 {
                problems.append(context.error("file \"\(path)\" needs exactly one of from, content or secret", at: "files", path))
            }
            if let content = file.content {
                if content.containsSensitive {
                    problems.append(context.error("files.\(path).content takes a secret, but content is stored in a ConfigMap; "
                        + "use files.\(path).secret, which bootstrap keeps in a Secret", at: "files", path, "content"))
                } else if content.stringValue == nil {
                    problems.append(context.error("files.\(path).content must be text", at: "files", path, "content"))
                }
            }
            if let mode = file.mode, !(mode.count == 4 && mode.hasPrefix("0") && mode.utf8.allSatisfy { (0x30...0x37).contains($0) }) {
                problems.append(context.error("file mode \"\(mode)\" must be octal such as 0644", at: "files", path, "mode"))
            }
            let key = fileKey(path)
            if let other = keys[key] { problems.append(context.error("files \"\(other)\" and \"\(path)\" map to the same key \(key)", at: "files", path)) }
            keys[key] = path
        }
        return problems
    }

    static func checkPortReference(_ port: String, _ p: Parameters, _ context: ValidationContext, at path: [String]) -> [Diagnostic] {
        let ports = p.ports ?? []
        if let number = Int(port) {
            if ports.contains(where: { $0.containerPort == number }) { return [] }
            return [.error("step \"\(context.stepID)\": port \(number) is not one of the workload's ports (\(portList(ports)))", at: context.mark(path))]
        }
        if ports.contains(where: { $0.name == port }) { return [] }
        let hint = suggestion(for: port, among: ports.map(\.name)).map { " (did you mean \"\($0)\"?)" } ?? ""
        return [.error("step \"\(context.stepID)\": port \"\(port)\" is not a port name of the workload (\(portList(ports)))\(hint)", at: context.mark(path))]
    }

    static func portList(_ ports: [Port]) -> String {
        ports.isEmpty ? "it has none" : ports.map { "\($0.name): \($0.port)" }.joined(separator: ", ")
    }

    static func checkPorts(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var names: Set<String> = []
        var numbers: Set<Int> = []
        for (index, port) in (p.ports ?? []).enumerated() {
            // An IANA service name (validation.IsValidPortName): at most 15, lowercase, a letter, no '--'.
            let name = port.name
            if name.count > 15 || !Scan.word(name, first: Scan.lowerAlnum, rest: Scan.with(Scan.lowerAlnum, "-"), last: Scan.lowerAlnum)
                || name.contains("--") || !name.utf8.contains(where: { Scan.lower($0) }) {
                problems.append(context.error("port name \"\(name)\" must be at most 15 lowercase letters, digits and '-', with a letter", at: "ports", String(index), "name"))
            }
            for (value, key) in [(port.port, "port"), (port.containerPort, "targetPort")] where !(1...65535).contains(value) {
                problems.append(context.error("\(key) \(value) must be between 1 and 65535", at: "ports", String(index), key))
            }
            if !["TCP", "UDP", "SCTP"].contains(port.protocolName) {
                problems.append(context.error("protocol \"\(port.protocolName)\" must be TCP, UDP or SCTP", at: "ports", String(index), "protocol"))
            }
            if !names.insert(name).inserted { problems.append(context.error("port name \"\(name)\" is listed twice", at: "ports", String(index), "name")) }
            if !numbers.insert(port.port).inserted { problems.append(context.error("port \(port.port) is listed twice", at: "ports", String(index), "port")) }
        }
        for (kind, probe) in [("readiness", p.probes?.readiness), ("liveness", p.probes?.liveness), ("startup", p.probes?.startup)] {
            guard let probe else { continue }
            let checks = [probe.http != nil, probe.tcp != nil, probe.exec != nil].filter { $0 }.count
            if checks != 1 { problems.append(context.error("the \(kind) probe needs exactly one of http, tcp or exec", at: "probes", kind)) }
            if let http = probe.http { problems += checkPortReference(http.port, p, context, at: ["probes", kind, "http", "port"]) }
            if let tcp = probe.tcp { problems += checkPortReference(tcp.port, p, context, at: ["probes", kind, "tcp", "port"]) }
        }
        return problems
    }

    static func checkVolumes(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let storage = context.steps(of: LocalVolumes.self)
        for (index, mount) in (p.volumes ?? []).enumerated() {
            let owners = storage.filter { $0.parameters.volumes.contains { $0.claimName == mount.claim && $0.namespace == p.namespace } }
            if owners.isEmpty {
                let known = storage.flatMap { $0.parameters.volumes.filter { $0.namespace == p.namespace }.map(\.claimName) }
                let hint = suggestion(for: mount.claim, among: known).map { " (did you mean \"\($0)\"?)" } ?? ""
                problems.append(context.error("claim \"\(mount.claim)\" is not a claim of a storage.local-volumes step in namespace \(p.namespace)\(hint)",
                                              at: "volumes", String(index), "claim"))
            } else if owners.allSatisfy({ context.skipped.contains($0.id) }), !context.skipped.contains(context.stepID) {
                // --skip takes a step as provided; a claim is provided only if someone made it by hand
                // (a developer's k3d), so say it before anything runs rather than after a rollout timeout.
                problems.append(context.warning("claim \"\(mount.claim)\" is made by step \"\(owners[0].id)\", which --skip leaves out: "
                    + "unless the claim exists in namespace \(p.namespace) already, the pods wait for it (Pending) and the rollout fails; "
                    + "run that step too, or --skip this one", at: "volumes", String(index), "claim"))
            }
            if !mount.mountPath.hasPrefix("/") {
                problems.append(context.error("mountPath \"\(mount.mountPath)\" must be absolute", at: "volumes", String(index), "mountPath"))
            }
            if let sub = mount.subPath, sub.hasPrefix("/") || sub.split(separator: "/").contains("..") {
                problems.append(context.error("subPath \"\(sub)\" must be relative and stay inside the volume", at: "volumes", String(index), "subPath"))
            }
        }
        // A StatefulSet owns its data: no other workload may write to its claims.
        for (index, mount) in (p.volumes ?? []).enumerated() where mount.readOnly != true {
            for other in context.steps(of: AppWorkload.self) where other.id != context.stepID && other.parameters.namespace == p.namespace {
                let writes = (other.parameters.volumes ?? []).contains { $0.claim == mount.claim && $0.readOnly != true }
                guard writes else { continue }
                if p.kindChoice == .StatefulSet || other.parameters.kindChoice == .StatefulSet {
                    let owner = p.kindChoice == .StatefulSet ? p.name : other.parameters.name
                    problems.append(context.error("claim \"\(mount.claim)\" is written by StatefulSet \(owner) and by step \"\(other.id)\" too: "
                        + "a StatefulSet's data has one writer (mount it readOnly in the other)", at: "volumes", String(index), "claim"))
                }
            }
        }
        return problems
    }

    /// Every workload ends up with cpu and memory limits (its own or its namespace's default), so no
    /// app can take the whole node. Requests follow: the API server defaults a missing request to
    /// the limit, and a LimitRange's defaultRequest to its default
    /// (pkg/apis/core/v1/defaults.go, SetDefaults_LimitRangeItem).
    /// A Deployment whose pods must not overlap (``AppWorkload/recreateReasons``) uses Recreate.
    static func checkStrategy(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        if let strategy = p.strategy, p.kindChoice != .Deployment {
            return [context.error("strategy \(strategy.rawValue) applies only to a Deployment (a StatefulSet replaces its pods one at a time, "
                + "the old one stopped first; a Job does not roll)", at: "strategy")]
        }
        let reasons = AppWorkload(id: context.stepID, parameters: p).recreateReasons
        guard !reasons.isEmpty, p.strategy != .Recreate else { return [] }
        // At what asks for Recreate: the strategy given, a writable claim, or a host port.
        let at: [String]
        if p.strategy != nil { at = ["strategy"] }
        else if let claim = (p.volumes ?? []).firstIndex(where: { $0.readOnly != true }) { at = ["volumes", String(claim), "claim"] }
        else { at = ["ports", String((p.ports ?? []).firstIndex { $0.hostPort != nil } ?? 0), "hostPort"] }
        return [.error("step \"\(context.stepID)\": Deployment \(p.namespace)/\(p.name) must use strategy: Recreate, or be kind: StatefulSet, "
            + "because \(p.strategy == nil ? "RollingUpdate, the default," : "RollingUpdate") starts the new pod before the old one stops: "
            + reasons.joined(separator: "; "), at: context.mark(at))]
    }

    static func checkLimits(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let defaults = context.steps(of: NamespacesStep.self)
            .filter { $0.parameters.names.contains(p.namespace) }
            .compactMap { $0.parameters.defaultResources?.limits }
        for resource in ["cpu", "memory"] {
            let own = resource == "cpu" ? p.resources?.limits?.cpu : p.resources?.limits?.memory
            let fallback = defaults.contains { (resource == "cpu" ? $0.cpu : $0.memory) != nil }
            if own == nil && !fallback {
                problems.append(context.error("no \(resource) limit: set resources.limits.\(resource), or give namespace \(p.namespace) "
                    + "a default in its kube.namespaces step (defaultResources.limits.\(resource))", at: "resources"))
            }
        }
        for (section, amounts) in [("requests", p.resources?.requests), ("limits", p.resources?.limits)] {
            for (resource, text) in [("cpu", amounts?.cpu), ("memory", amounts?.memory)] {
                guard let text else { continue }
                do { _ = try Quantity(text) } catch { problems.append(context.error(error.description, at: "resources", section, resource)) }
            }
        }
        if let requests = p.resources?.requests, let limits = p.resources?.limits {
            for (resource, request, limit) in [("cpu", requests.cpu, limits.cpu), ("memory", requests.memory, limits.memory)] {
                if let request, let limit, let r = try? Quantity(request), let l = try? Quantity(limit), r.value > l.value {
                    problems.append(context.error("the \(resource) request \(request) is more than its limit \(limit)", at: "resources", "requests", resource))
                }
            }
        }
        return problems
    }

    /// The ConfigMap or Secret key of a file: its path without the leading '/', '/' as '_', prefixed
    /// so it cannot collide with an environment variable's key (variable names have no '.').
    static func fileKey(_ path: String) -> String {
        let body = path.drop { $0 == "/" }.map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") ? c : "_"
        }
        return "file." + String(body)
    }
}
