import Document
import Platform
import FoundationEssentials

/// The custom resources a k3s server installs on its own (helm-controller's and Traefik's), for
/// rehearsals. Their schemas keep unknown fields; `--crds DIR` loads the real, validating ones.
enum RehearsalCRDs {
    static let kinds: [(group: String, version: String, kind: String, plural: String, namespaced: Bool)] = [
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

    static func definition(_ entry: (group: String, version: String, kind: String, plural: String, namespaced: Bool)) -> Value {
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

    /// Writes the given CRD files (those of the playbook's pinned k3s) under DIR/crds and returns
    /// that directory; files of an earlier rehearsal with another k3s version are removed.
    static func write(_ files: [(file: String, yaml: String)], into directory: String) throws -> String {
        let dir = directory + "/crds"
        try? Files.remove(dir)
        try Files.createDirectory(dir)
        for (file, yaml) in files {
            try Files.writeAtomically(dir + "/" + file.replacing("/", with: "_"), Array(yaml.utf8), mode: 0o644, durable: false)
        }
        return dir
    }

    /// Writes the definitions under DIR/crds and returns that directory.
    static func write(into directory: String) throws -> String {
        let dir = directory + "/crds"
        try Files.createDirectory(dir)
        let text = kinds.map { YAML.emit(definition($0)) }.joined(separator: "---\n")
        try Files.writeAtomically(dir + "/k3s-bundled.yaml", Array(text.utf8), mode: 0o644, durable: false)
        return dir
    }
}
