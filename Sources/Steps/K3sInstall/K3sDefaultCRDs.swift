import Document
import Engine

// The custom resources a k3s server installs on its own (helm-controller's HelmChart and
// HelmChartConfig, the Traefik chart's), for a rehearsal of a release bootstrap does not know or
// of a playbook without a k3s.install step. Their schemas keep unknown fields; `--crds DIR` loads
// the real, validating ones, and a known release serves its own (K3sReleases).
extension K3sInstall {
    static let defaultKinds: [(group: String, version: String, kind: String, plural: String, namespaced: Bool)] = [
        ("helm.cattle.io", "v1", "HelmChart", "helmcharts", true),
        ("helm.cattle.io", "v1", "HelmChartConfig", "helmchartconfigs", true),
        ("traefik.io", "v1alpha1", "IngressRoute", "ingressroutes", true),
        ("traefik.io", "v1alpha1", "IngressRouteTCP", "ingressroutetcps", true),
        ("traefik.io", "v1alpha1", "IngressRouteUDP", "ingressrouteudps", true),
        ("traefik.io", "v1alpha1", "Middleware", "middlewares", true),
        ("traefik.io", "v1alpha1", "MiddlewareTCP", "middlewaretcps", true),
        ("traefik.io", "v1alpha1", "TLSOption", "tlsoptions", true),
        ("traefik.io", "v1alpha1", "TLSStore", "tlsstores", true),
        ("traefik.io", "v1alpha1", "ServersTransport", "serverstransports", true),
        ("traefik.io", "v1alpha1", "TraefikService", "traefikservices", true),
    ]

    /// The kinds above as permissive definitions, in one file.
    public static var defaultCRDs: [CRDFile] {
        [CRDFile(name: "k3s-bundled.yaml", yaml: defaultKinds.map { YAML.emit(permissiveDefinition($0)) }.joined(separator: "---\n"))]
    }

    static func permissiveDefinition(_ entry: (group: String, version: String, kind: String, plural: String, namespaced: Bool)) -> Value {
        [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(entry.plural).\(entry.group)")],
            "spec": [
                "group": .string(entry.group),
                "names": ["kind": .string(entry.kind), "plural": .string(entry.plural),
                          "singular": .string(entry.kind.lowercased()), "listKind": .string(entry.kind + "List")],
                "scope": entry.namespaced ? "Namespaced" : "Cluster",
                "versions": [[
                    "name": .string(entry.version), "served": true, "storage": true,
                    "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                ]],
            ],
        ]
    }
}
