import Document

/// The components a k3s server packages (k3s `--disable` names them) that decide whether the
/// node's ports are bound: its Traefik release and ServiceLB.
public struct K3sAddons: Sendable, Equatable {
    /// k3s installs Traefik through the HelmChart `kube-system/traefik` (unless `--disable traefik`).
    public var traefik: Bool
    /// k3s' ServiceLB gives LoadBalancer Services the node's address (unless `--disable servicelb`).
    public var serviceLB: Bool
    /// The Traefik chart k3s' HelmChart names, e.g. `27.0.201+up27.0.2`.
    public var traefikChart: String

    public init(traefik: Bool, serviceLB: Bool, traefikChart: String) {
        self.traefik = traefik
        self.serviceLB = serviceLB
        self.traefikChart = traefikChart
    }

    /// In a cluster provider's words: the ingress controller's chart (nil: none runs) and whether
    /// LoadBalancer Services get the node's address.
    public init(ingressChart: String?, serviceLoadBalancer: Bool) {
        self.init(traefik: ingressChart != nil, serviceLB: serviceLoadBalancer, traefikChart: ingressChart ?? "")
    }
}

// A small, honest model of what decides whether ports 80/443 reach Traefik on a k3s node:
//
// - k3s creates HelmChart kube-system/traefik; helm-controller installs it with the values of the
//   HelmChartConfig of the same name merged over the chart's, and runs helm-install-traefik again
//   whenever that HelmChartConfig changes.
// - The release is reduced to its Service (type and ports, chart 27 values `service.type`,
//   `ports.<name>.exposedPort`, `expose`) and its Deployment's container ports (`ports.<name>.port`,
//   `hostPort`) and `hostNetwork`.
// - ServiceLB gives a LoadBalancer Service the node's address in `status.loadBalancer.ingress`
//   only when it is enabled; nothing else does on a bare node.
extension Store {
    /// The HelmChart k3s writes for its bundled Traefik (k3s manifests/traefik.yaml).
    mutating func seedK3sAddons() {
        guard let addons = k3sAddons, addons.traefik,
              let chartType = registry.lookup(groupVersion: "helm.cattle.io/v1", plural: "helmcharts"),
              object(chartType, "kube-system", "traefik") == nil else { return }
        put(chartType, [
            "apiVersion": "helm.cattle.io/v1", "kind": "HelmChart",
            "metadata": ["name": "traefik", "namespace": "kube-system", "generation": 1],
            "spec": ["chart": .string("https://%{KUBERNETES_API}%/static/charts/traefik-\(addons.traefikChart).tgz"),
                     "targetNamespace": "kube-system"],
        ])
        if let chart = object(chartType, "kube-system", "traefik") { runHelmJob(chart) }
    }

    /// helm-controller re-installs a chart when its HelmChartConfig changes.
    mutating func helmChartConfigChanged(ns: String?, name: String, previous: Value?, current: Value) {
        guard previous?["spec"] != current["spec"], let ns,
              let chartType = registry.lookup(groupVersion: "helm.cattle.io/v1", plural: "helmcharts"),
              let chart = object(chartType, ns, name) else { return }
        runHelmJob(chart)
    }

    /// After an install Job of k3s' Traefik: its Service and Deployment as the merged values make them.
    mutating func renderBundledRelease(chart: Value) {
        guard k3sAddons?.traefik == true, chart[path: ["metadata", "name"]] == "traefik",
              chart[path: ["metadata", "namespace"]] == "kube-system" else { return }
        var values = Self.traefikChartDefaults
        if let configType = registry.lookup(groupVersion: "helm.cattle.io/v1", plural: "helmchartconfigs"),
           let text = object(configType, "kube-system", "traefik")?[path: ["spec", "valuesContent"]]?.stringValue,
           let parsed = try? YAML.parse(text, file: "valuesContent").first?.resolved {
            values = Self.merge(values, parsed)
        }
        var servicePorts: [Value] = [], containerPorts: [Value] = []
        for (name, port) in (values["ports"]?.objectValue ?? Object()) {
            guard let containerPort = port["port"]?.intValue else { continue }
            let proto = port["protocol"]?.stringValue ?? "TCP"
            var container: Value = ["name": .string(name), "containerPort": .int(containerPort), "protocol": .string(proto)]
            if let hostPort = port["hostPort"]?.intValue { container["hostPort"] = .int(hostPort) }
            containerPorts.append(container)
            if port[path: ["expose", "default"]]?.boolValue == true || port["expose"]?.boolValue == true {
                servicePorts.append(["name": .string(name), "port": .int(port["exposedPort"]?.intValue ?? containerPort),
                                     "targetPort": .string(name), "protocol": .string(proto)])
            }
        }
        let labels: Value = ["app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-kube-system"]
        let serviceType = values[path: ["service", "type"]]?.stringValue ?? "LoadBalancer"
        var service: Value = [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": "traefik", "namespace": "kube-system", "labels": labels],
            "spec": ["type": .string(serviceType), "selector": labels, "ports": .array(servicePorts)],
        ]
        // ServiceLB: the node's address for a LoadBalancer Service, and only when it runs.
        if serviceType == "LoadBalancer", k3sAddons?.serviceLB == true {
            service["status"] = ["loadBalancer": ["ingress": [["ip": "127.0.0.1"]]]]
        } else {
            service["status"] = ["loadBalancer": .object(Object())]
        }
        let serviceType_ = BuiltIn.type(kind: "Service", group: "")!
        put(serviceType_, Self.keepingIdentity(service, of: object(serviceType_, "kube-system", "traefik")))
        let deploymentType = BuiltIn.type(kind: "Deployment", group: "apps")!
        var podSpec: Value = ["containers": [["name": "traefik", "image": "rancher/mirrored-library-traefik", "ports": .array(containerPorts)]]]
        if values["hostNetwork"]?.boolValue == true { podSpec["hostNetwork"] = true }
        if let security = values["podSecurityContext"] { podSpec["securityContext"] = security }
        let deployment: Value = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "traefik", "namespace": "kube-system", "labels": labels, "generation": 1,
                         // Helm marks every object of a release (helm/helm pkg/action/validate.go, setMetadataVisitor).
                         "annotations": ["meta.helm.sh/release-name": "traefik", "meta.helm.sh/release-namespace": "kube-system"]],
            "spec": ["replicas": 1, "selector": ["matchLabels": labels], "template": ["metadata": ["labels": labels], "spec": podSpec]],
            "status": ["observedGeneration": 1, "replicas": 1, "readyReplicas": 1, "updatedReplicas": 1, "availableReplicas": 1],
        ]
        put(deploymentType, Self.keepingIdentity(deployment, of: object(deploymentType, "kube-system", "traefik")))
    }

    /// ServiceLB for any Service written through the API: a LoadBalancer Service gets the node's
    /// address only while servicelb runs (k3s' svclb pods bind its ports with hostPorts).
    mutating func serveLoadBalancer(_ service: Value) {
        guard let addons = k3sAddons, service[path: ["spec", "type"]] == "LoadBalancer" else { return }
        let ingress: Value = addons.serviceLB ? ["ingress": [["ip": "127.0.0.1"]]] : .object(Object())
        guard service[path: ["status", "loadBalancer"]] != ingress else { return }
        var updated = service
        updated["status"] = ["loadBalancer": ingress]
        put(BuiltIn.type(kind: "Service", group: "")!, updated)
    }

    private static func keepingIdentity(_ object: Value, of old: Value?) -> Value {
        var o = object
        if let uid = old?[path: ["metadata", "uid"]] { o["metadata"]?["uid"] = uid }
        if let created = old?[path: ["metadata", "creationTimestamp"]] { o["metadata"]?["creationTimestamp"] = created }
        return o
    }

    /// Helm's merge: mappings key by key, anything else replaced.
    static func merge(_ base: Value, _ top: Value) -> Value {
        guard case .object(var merged) = base, case .object(let over) = top else { return top }
        for (key, value) in over { merged[key] = merged[key].map { merge($0, value) } ?? value }
        return .object(merged)
    }

    /// What chart 27.0.2's values.yaml sets for the parts modelled (ports, service, hostNetwork,
    /// podSecurityContext), traefik/traefik-helm-chart at tag v27.0.2, traefik/values.yaml.
    static let traefikChartDefaults: Value = [
        "ports": [
            "traefik": ["port": 9000, "expose": ["default": false], "exposedPort": 9000, "protocol": "TCP"],
            "web": ["port": 8000, "expose": ["default": true], "exposedPort": 80, "protocol": "TCP"],
            "websecure": ["port": 8443, "expose": ["default": true], "exposedPort": 443, "protocol": "TCP"],
            "metrics": ["port": 9100, "expose": ["default": false], "exposedPort": 9100, "protocol": "TCP"],
        ],
        "service": ["enabled": true, "type": "LoadBalancer"],
        "hostNetwork": false,
        "podSecurityContext": ["runAsGroup": 65532, "runAsNonRoot": true, "runAsUser": 65532],
    ]
}
