import Document
import Engine

/// The Services a playbook's steps create, by namespace: what a route may send traffic to. Each
/// step type says what it creates (``AppWorkload``, ``ObjectsStep``, ``HelmChart``); a route to a
/// Service none creates would be served 404 by Traefik on the node, found only after the move.
struct PlaybookServices {
    /// Services that route traffic to pods, by namespace.
    var routable: [String: Set<String>] = [:]
    /// ExternalName Services (app.workload's aliases): Traefik does not follow them by default
    /// (its Kubernetes CRD provider's `allowExternalNameServices` is false).
    var externalNames: [String: Set<String>] = [:]
    /// Helm releases by namespace, by the name their chart gives its Services (Bitnami's fullname):
    /// the release's own Services are that name or start with it and `-`.
    var releases: [String: Set<String>] = [:]

    static func of(_ context: ValidationContext) -> PlaybookServices {
        var services = PlaybookServices()
        for step in context.steps(of: AppWorkload.self) {
            let p = step.parameters
            if !(p.ports ?? []).isEmpty { services.routable[p.namespace, default: []].insert(p.name) }
            for alias in p.aliases ?? [] { services.externalNames[alias.namespace ?? p.namespace, default: []].insert(alias.name ?? p.name) }
        }
        for step in context.steps(of: ObjectsStep.self) {
            for object in step.parameters.objects where object["kind"]?.stringValue == "Service" {
                guard let name = object[path: ["metadata", "name"]]?.stringValue else { continue }
                let namespace = object[path: ["metadata", "namespace"]]?.stringValue ?? "default"
                if object[path: ["spec", "type"]]?.stringValue == "ExternalName" {
                    services.externalNames[namespace, default: []].insert(name)
                } else {
                    services.routable[namespace, default: []].insert(name)
                }
            }
        }
        for step in context.steps(of: HelmChart.self) {
            services.releases[step.parameters.targetNamespace, default: []].insert(step.parameters.serviceName)
        }
        return services
    }

    /// Why a route to `service` in `namespace` goes nowhere, or nil.
    func problem(service: String, namespace: String) -> String? {
        if routable[namespace]?.contains(service) == true { return nil }
        if (releases[namespace] ?? []).contains(where: { service == $0 || service.hasPrefix($0 + "-") }) { return nil }
        if externalNames[namespace]?.contains(service) == true {
            return "Service \(namespace)/\(service) is an ExternalName alias, which Traefik does not follow "
                + "(allowExternalNameServices is off): route to the workload's own Service in its namespace"
        }
        let known = (routable[namespace] ?? []).union(releases[namespace] ?? [])
        let hint = suggestion(for: service, among: known.sorted()).map { " (did you mean \"\($0)\"?)" } ?? ""
        return "no step of the playbook creates Service \(namespace)/\(service)\(hint): an app.workload with ports, "
            + "a Service in kube.objects, or a helm.chart release in that namespace"
    }
}
