import Document

// The objects traefik.acme writes. Chart value names are those of Traefik chart 27.x (see
// `TraefikACME.chartVersion`): `certResolvers.<name>.*` becomes `--certificatesresolvers.<name>.acme.*`.
extension TraefikACME {
    var storagePath: String { parameters.storage.path ?? Self.defaultStoragePath }

    /// The chart values the step owns, before the playbook's extra `values` are merged under them.
    var ownValues: Value {
        var acme: Value = ["email": .string(parameters.email)]
        if let server = parameters.caServer { acme["caServer"] = .string(server) }
        acme["storage"] = .string(storagePath.hasSuffix("/") ? storagePath + "acme.json" : storagePath + "/acme.json")
        switch parameters.challenge {
        case .tls:
            acme["tlsChallenge"] = true
        case .http:
            acme["httpChallenge"] = ["entryPoint": "web"]
        case .dns:
            var challenge: Value = ["provider": .string(parameters.dns?.provider ?? "")]
            if let resolvers = parameters.dns?.resolvers { challenge["resolvers"] = .array(resolvers.map(Value.string)) }
            acme["dnsChallenge"] = challenge
        }
        var values: Value = ["certResolvers": .object(Object([(resolver, acme)]))]
        if let variable = tokenVariable {
            values["env"] = [["name": .string(variable),
                              "valueFrom": ["secretKeyRef": ["name": .string(Self.dnsSecretName), "key": .string(variable)]]]]
        }
        values["persistence"] = ["enabled": true, "existingClaim": .string(parameters.storage.claim), "path": .string(storagePath)]
        // One acme.json cannot be shared: the old pod must stop before the new one starts.
        // `rollingUpdate: null` drops the chart's default, which Recreate does not accept.
        values["updateStrategy"] = ["type": "Recreate", "rollingUpdate": nil]
        var ports = Object()
        if parameters.redirectToHTTPS ?? true {
            ports["web"] = ["redirectTo": ["port": "websecure", "priority": .int(Self.redirectPriority)]]
        }
        for entryPoint in parameters.entryPoints ?? [] {
            // Chart 27: `port` in the pod, `exposedPort` on the Service, `expose.default` puts it there.
            var port: Value = ["port": .int(entryPoint.port), "exposedPort": .int(entryPoint.port),
                               "protocol": .string(entryPoint.protocolChoice.rawValue), "expose": ["default": true]]
            if parameters.bind == .hostPort { port["hostPort"] = .int(entryPoint.port) }
            ports[entryPoint.name] = port
        }
        if parameters.bind == .hostPort {
            // The pod binds the node's ports (k3s' flannel CNI chains the portmap plugin, so
            // hostPort works); a ClusterIP Service keeps ServiceLB from competing for them.
            for (name, port) in Traefik.nodePorts.sorted(by: { $0.value < $1.value }) {
                ports[name] = TraefikValues.merge(ports[name] ?? .object(Object()), ["hostPort": .int(port)])
            }
            values["service"] = ["type": "ClusterIP"]
        }
        if !ports.isEmpty { values["ports"] = .object(ports) }
        return values
    }

    /// The playbook's extra values with the step's own on top.
    var chartValues: Value { TraefikValues.merge(parameters.values ?? .object(Object()), ownValues) }

    var helmChartConfig: Value {
        ["apiVersion": "helm.cattle.io/v1", "kind": "HelmChartConfig",
         "metadata": ["name": "traefik", "namespace": "kube-system"],
         "spec": ["valuesContent": .string(YAML.emit(chartValues))]]
    }

    func tlsOption(apiVersion: String) -> Value {
        var spec: Value = ["minVersion": .string((parameters.tlsOptions?.minVersion ?? .tls12).rawValue)]
        if let suites = parameters.tlsOptions?.cipherSuites { spec["cipherSuites"] = .array(suites.map(Value.string)) }
        if let strict = parameters.tlsOptions?.sniStrict { spec["sniStrict"] = .bool(strict) }
        return ["apiVersion": .string(apiVersion), "kind": "TLSOption",
                "metadata": ["name": "default", "namespace": .string(tlsNamespace)], "spec": spec]
    }
}

/// Helm-style merging of chart values, and finding where two sets of values both decide something.
enum TraefikValues {
    /// `top` over `base`: mappings merge key by key, anything else in `top` replaces.
    static func merge(_ base: Value, _ top: Value) -> Value {
        guard case .object(var merged) = base, case .object(let over) = top else { return top }
        for (key, value) in over {
            merged[key] = merged[key].map { merge($0, value) } ?? value
        }
        return .object(merged)
    }

    /// Paths both values set (a leaf in either one), e.g. `["ports", "web", "redirectTo"]`.
    static func overlaps(_ a: Value, _ b: Value, path: [String] = []) -> [[String]] {
        guard case .object(let left) = a, case .object(let right) = b else { return [path] }
        return left.keys.filter { right[$0] != nil }.flatMap { overlaps(left[$0]!, right[$0]!, path: path + [$0]) }
    }
}

extension TraefikACME {
    /// The node ports Traefik's pod binds itself (`bind: hostPort`): web, websecure and every entry
    /// point, as "TCP/443". With `bind: serviceLB` ServiceLB's pods bind them instead, on the same
    /// node ports, so they are taken either way.
    static func hostPorts(_ p: Parameters) -> [(key: String, port: Int, what: String)] {
        var ports = Traefik.nodePorts.sorted { $0.value < $1.value }.map { (key: "TCP/\($0.value)", port: $0.value, what: "Traefik's entry point \($0.key)") }
        for entryPoint in p.entryPoints ?? [] {
            ports.append((key: "\(entryPoint.protocolChoice.rawValue)/\(entryPoint.port)", port: entryPoint.port,
                          what: "Traefik's entry point \(entryPoint.name)"))
        }
        return ports
    }
}
