import Document
import Engine
import Kube

extension TraefikACME {
    /// Cipher suite names Traefik accepts (Go's crypto/tls names, plus the older CHACHA20 spellings
    /// FAF's dynamic configuration uses).
    static let cipherSuites = [
        "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    ]

    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if let k3s = Traefik.stepDisablingTraefik(context) {
            problems.append(context.error("step \"\(k3s)\" disables k3s' bundled Traefik, which this step configures; remove \"traefik\" from its disable list", at: ""))
        }
        if let minor = Traefik.k3sMinorVersion(context), minor >= 32 {
            problems.append(context.warning("k3s v1.\(minor) bundles Traefik 3 (chart 34.x or newer) but this step writes values for chart \(chartVersion): the HTTPS redirect moved to ports.web.redirections", at: ""))
        }
        if let resolver = p.resolver, !KubeNames.isDNSLabel(resolver) {
            problems.append(context.error("resolver \"\(resolver)\" must be a lower-case name (letters, digits, '-')", at: "resolver"))
        }
        if !Traefik.isEmail(p.email) {
            problems.append(context.error("email \"\(p.email)\" is not an email address; Let's Encrypt sends expiry notices there", at: "email"))
        }
        if let server = p.caServer, !server.hasPrefix("https://") {
            problems.append(context.error("caServer must be an https:// ACME directory URL", at: "caServer"))
        }
        problems += validateChallenge(p, context)
        problems += validateStorage(p.storage, context)
        problems += validateStorageOwner(p, context)
        problems += validateBinding(p, context)
        problems += validateEntryPoints(p.entryPoints ?? [], context)
        problems += validateTLSOptions(p.tlsOptions, context)
        problems += validateLimits(p, context)
        if let values = p.values {
            if values.objectValue == nil { problems.append(context.error("values must be a mapping of Traefik chart values", at: "values")) }
            for path in TraefikValues.overlaps(values, TraefikACME(id: context.stepID, parameters: p).ownValues) {
                problems.append(.error("step \"\(context.stepID)\": values.\(path.joined(separator: ".")) is set by this step; use its parameters instead",
                                       at: context.mark(["values"] + path)))
            }
        }
        return problems
    }

    /// Traefik runs in kube-system, which no kube.namespaces default reaches, and chart 27's
    /// `resources` is empty: without limits in `values` one busy entry point can take the node.
    static func validateLimits(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        let missing = ["cpu", "memory"].filter { p.values?[path: ["resources", "limits", $0]] == nil }
        guard !missing.isEmpty else { return [] }
        return [context.warning("Traefik has no \(missing.joined(separator: " or ")) limit: set values.resources.limits "
            + "(chart \(chartVersion)'s resources, empty by default), so no load on an entry point can take the whole node", at: p.values == nil ? "" : "values")]
    }

    static func validateChallenge(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        guard p.challenge == .dns else {
            return p.dns == nil ? [] : [context.error("dns is only used with challenge: dns (challenge is \"\(p.challenge.rawValue)\")", at: "dns")]
        }
        guard let dns = p.dns else {
            return [context.error("challenge \"dns\" needs dns: {provider, token}", at: "challenge")]
        }
        var problems: [Diagnostic] = []
        if !Scan.word(dns.provider, first: Scan.lowerAlnum, rest: Scan.with(Scan.lowerAlnum, ".-")) {
            problems.append(context.error("dns.provider \"\(dns.provider)\" is not a lego provider name such as cloudflare", at: "dns", "provider"))
        }
        if let variable = dns.tokenVariable {
            if !Scan.word(variable, first: Scan.with(Scan.upper, "_"), rest: Scan.with({ Scan.upper($0) || Scan.digit($0) }, "_")) {
                problems.append(context.error("dns.tokenVariable \"\(variable)\" is not an environment variable name", at: "dns", "tokenVariable"))
            }
        } else if tokenVariables[dns.provider] == nil {
            problems.append(context.error("dns.tokenVariable is required for provider \"\(dns.provider)\": name the variable lego reads its token from (known: \(tokenVariables.keys.sorted().joined(separator: ", ")))", at: "dns", "provider"))
        }
        for (index, resolver) in (dns.resolvers ?? []).enumerated()
        where !Traefik.isHostPort(resolver) {
            problems.append(context.error("dns.resolvers: \"\(resolver)\" must be host:port, e.g. 1.1.1.1:53", at: "dns", "resolvers", String(index)))
        }
        return problems
    }

    static func validateStorage(_ storage: Storage, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        if !KubeNames.isDNSLabel(storage.claim) {
            problems.append(context.error("storage.claim \"\(storage.claim)\" is not a valid claim name (lowercase letters, digits and '-', at most 63)", at: "storage", "claim"))
        }
        if let path = storage.path, let problem = ParameterRules.hostPathProblem(path) {
            problems.append(context.error("storage.path: \(problem)", at: "storage", "path"))
        }
        return problems
    }

    /// Names as Kubernetes requires of container port names (IANA service names: at most 15
    /// lower-case letters, digits and '-', with a letter, no '--', not starting or ending with
    /// '-'), which chart 27 uses as the entry point's port name; ports the unprivileged pod can bind.
    static func validateEntryPoints(_ entryPoints: [EntryPoint], _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var names = Set(Traefik.entryPoints)
        var ports = Set(Traefik.chartEntryPoints.map { "TCP/\($0.port)" })
        for (index, entryPoint) in entryPoints.enumerated() {
            let at = String(index), name = entryPoint.name
            let valid = name.count <= 15 && Scan.word(name, first: Scan.lowerAlnum, rest: Scan.with(Scan.lowerAlnum, "-"))
                && !name.hasSuffix("-") && !name.contains("--") && name.contains(where: \.isLetter)
            if !valid {
                problems.append(context.error("entryPoints: \"\(name)\" must be a port name: at most 15 lower-case letters, digits and '-', "
                    + "with a letter (chart 27 names the pod's port after the entry point)", at: "entryPoints", at, "name"))
            } else if !names.insert(name).inserted {
                problems.append(context.error("entryPoints: \"\(name)\" is \(Traefik.entryPoints.contains(name) ? "one of the chart's own entry points" : "declared twice")",
                                              at: "entryPoints", at, "name"))
            }
            if !(1024...65535).contains(entryPoint.port) {
                problems.append(context.error("entryPoints: port \(entryPoint.port) of \"\(name)\" must be 1024-65535: Traefik runs unprivileged "
                    + "(uid 65532, no capabilities) and listens on the same port in the pod", at: "entryPoints", at, "port"))
            } else if !ports.insert("\(entryPoint.protocolChoice.rawValue)/\(entryPoint.port)").inserted {
                problems.append(context.error("entryPoints: \(entryPoint.protocolChoice.rawValue) port \(entryPoint.port) of \"\(name)\" is already taken "
                    + "(chart 27 uses 8000, 8443, 9000 and 9100)", at: "entryPoints", at, "port"))
            }
        }
        return problems
    }

    /// Something must bind the node's 80 and 443: the pod's hostPorts, the host network, or
    /// ServiceLB serving the chart's LoadBalancer Service (chart 27 values: `service.type: LoadBalancer`).
    static func validateBinding(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        if p.bind == .hostPort || p.values?["hostNetwork"]?.boolValue == true { return [] }
        guard let (step, disabled) = K3sInstall.disables("servicelb", context), disabled else { return [] }
        return [context.error(
            "nothing would bind the node's ports 80 and 443: step \"\(step)\" disables servicelb, and Traefik chart \(chartVersion) "
            + "publishes them only through a Service of type LoadBalancer, which without ServiceLB gets no address; "
            + "set bind: hostPort (or keep servicelb and bind: serviceLB)", at: p.bind == nil ? "" : "bind")]
    }

    /// acme.json must be writable by the user Traefik runs as: chart 27 sets no fsGroup, so the
    /// volume itself must belong to that user (and Traefik refuses an acme.json others can read).
    static func validateStorageOwner(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        let uid = p.values?[path: ["podSecurityContext", "runAsUser"]]?.intValue ?? chartUser
        let volumeSteps = context.steps(of: LocalVolumes.self)
        let matches = volumeSteps.flatMap { step in
            step.parameters.volumes.filter { $0.namespace == "kube-system" && $0.claimName == p.storage.claim }.map { (step.id, $0) }
        }
        guard let (stepID, volume) = matches.first else {
            // A playbook without local volumes brings its own claim; bootstrap cannot see its owner.
            if volumeSteps.isEmpty { return [] }
            return [context.error("storage.claim \(p.storage.claim) is no kube-system claim of the playbook's storage.local-volumes steps "
                + "(\(volumeSteps.map(\.id).joined(separator: ", "))): Traefik runs in kube-system as uid \(uid) and needs a volume owned "
                + "by that user", at: "storage", "claim")]
        }
        let owner = volume.owner.map { String($0.prefix { $0 != ":" }) }
        if let owner, let ownerUID = Int(owner), ownerUID == uid { return [] }
        if let owner, Int(owner) == nil {
            return [context.warning("storage.claim \(p.storage.claim): volume \"\(volume.name)\" of step \"\(stepID)\" is owned by \"\(owner)\"; "
                + "bootstrap cannot tell whether that is uid \(uid), the user Traefik runs as", at: "storage", "claim")]
        }
        return [context.error("storage.claim \(p.storage.claim): volume \"\(volume.name)\" of step \"\(stepID)\" is owned by "
            + "\(owner.map { "uid \($0)" } ?? "root"), but Traefik chart \(chartVersion) runs as uid \(uid) without fsGroup and could not "
            + "write acme.json: give the volume owner: \"\(uid):\(uid)\" and mode: \"0700\"", at: "storage", "claim")]
    }

    static func validateTLSOptions(_ options: TLSOptions?, _ context: ValidationContext) -> [Diagnostic] {
        guard let options else { return [] }
        var problems: [Diagnostic] = []
        if let namespace = options.namespace, !KubeNames.isDNSLabel(namespace) {
            problems.append(context.error("tlsOptions.namespace \"\(namespace)\" is not a valid namespace", at: "tlsOptions", "namespace"))
        }
        for (index, suite) in (options.cipherSuites ?? []).enumerated() where !cipherSuites.contains(suite) {
            problems.append(context.error("tlsOptions.cipherSuites: unknown cipher suite \"\(suite)\"\(Traefik.didYouMean(suite, cipherSuites))",
                                          at: "tlsOptions", "cipherSuites", String(index)))
        }
        if options.minVersion == .tls13, options.cipherSuites != nil {
            problems.append(context.warning("tlsOptions.cipherSuites have no effect with VersionTLS13: Go fixes the TLS 1.3 suites", at: "tlsOptions", "cipherSuites"))
        }
        return problems
    }
}
