import Engine

/// What a k3s release bundles, as far as bootstrap's steps depend on it: the helm-controller that
/// serves HelmChart/HelmChartConfig, the Traefik release k3s installs itself, and the CRD set a
/// fresh server of that release serves. Validation checks playbooks against it; rehearsals serve
/// exactly its CRDs.
///
/// Sources (each fact read at the release's tag):
/// - k3s-io/k3s `go.mod` (`github.com/k3s-io/helm-controller`) and the release notes of the tag;
/// - k3s-io/k3s `scripts/airgap/image-list.txt` / `manifests/traefik.yaml` (chart `traefik-<version>.tgz`);
/// - k3s-io/helm-controller `pkg/apis/helm.cattle.io/v1/types.go` at the bundled tag (its CRDs are
///   generated from those structs at run time);
/// - traefik/traefik-helm-chart `traefik/crds/` at the chart's tag.
public struct K3sRelease: Sendable {
    public var version: String
    public var helmController: String
    public var traefik: String
    public var traefikChart: String
    /// The CustomResourceDefinitions the release serves once its bundled charts are installed.
    public var crds: [BundledCRD]
}

/// One CRD file as a k3s release serves it, with where it was copied from.
public struct BundledCRD: Sendable {
    public var file: String
    public var source: String
    public var yaml: String
}

public enum K3sReleases {
    /// Every k3s release bootstrap knows what it bundles; other versions validate with a warning.
    public static let known: [K3sRelease] = [
        K3sRelease(version: "v1.31.4+k3s1", helmController: "v0.16.5", traefik: "v2.11.10",
                   traefikChart: "27.0.201+up27.0.2", crds: K3sCRDs_v1_31_4.all),
    ]

    public static func release(_ version: String) -> K3sRelease? { known.first { $0.version == version } }

    /// The release new playbooks pin (`bootstrap import` writes it): the newest bootstrap knows.
    public static var newest: K3sRelease { known.last! }

    /// `v1.31.4+k3s1` -> (1, 31, 4).
    static func numbers(_ version: String) -> (major: Int, minor: Int, patch: Int)? {
        guard version.hasPrefix("v") else { return nil }
        let core = version.dropFirst().prefix { $0 != "+" && $0 != "-" }
        let parts = core.split(separator: ".").compactMap { Int($0) }
        return parts.count == 3 ? (parts[0], parts[1], parts[2]) : nil
    }
}

/// A helm-controller feature a playbook may rely on, and the k3s releases that first bundle it.
public struct HelmControllerFeature: Sendable {
    public var name: String
    /// The helm-controller version that adds it.
    public var helmController: String
    /// Per k3s minor line, the first patch release bundling it; a minor above every listed line has it.
    public var firstK3s: [(minor: Int, patch: Int, release: String)]
    /// What to say about the k3s release that adds it.
    public var addedIn: String

    /// `spec.valuesSecrets`: helm-controller v0.16.7, bundled from k3s v1.31.8+k3s1 and v1.32.4+k3s1
    /// (k3s release notes; k3s-io/helm-controller `pkg/apis/helm.cattle.io/v1/types.go` at v0.16.7).
    public static let valuesSecrets = HelmControllerFeature(
        name: "spec.valuesSecrets", helmController: "v0.16.7",
        firstK3s: [(31, 8, "v1.31.8+k3s1"), (32, 4, "v1.32.4+k3s1")], addedIn: "bundled from k3s v1.31.8+k3s1 and v1.32.4+k3s1")
    /// `failurePolicy: retry`: helm-controller v0.17 only; no k3s release in bootstrap's table bundles it.
    public static let failurePolicyRetry = HelmControllerFeature(
        name: "failurePolicy: retry", helmController: "v0.17.0", firstK3s: [], addedIn: "no k3s release bootstrap knows bundles it")

    public enum Support: Equatable { case yes, no, unknown }

    /// Whether k3s `version` serves the feature.
    public func supported(by version: String) -> Support {
        if let release = K3sReleases.release(version) {
            return Self.compare(release.helmController, helmController) >= 0 ? .yes : .no
        }
        guard let (_, minor, patch) = K3sReleases.numbers(version), !firstK3s.isEmpty else { return .unknown }
        if let line = firstK3s.first(where: { $0.minor == minor }) { return patch >= line.patch ? .yes : .no }
        if minor > firstK3s.map(\.minor).max()! { return .yes }
        return .unknown
    }

    /// Compares `v0.16.5`-style versions.
    static func compare(_ a: String, _ b: String) -> Int {
        let parse = { (s: String) in s.drop { $0 == "v" }.split(separator: ".").map { Int($0) ?? 0 } }
        for (x, y) in zip(parse(a), parse(b)) where x != y { return x < y ? -1 : 1 }
        return 0
    }
}

extension K3sInstall {
    /// The playbook's pinned k3s version, if it has a `k3s.install` step.
    public static func pinnedVersion(_ context: ValidationContext) -> String? {
        context.steps(of: K3sInstall.self).first?.parameters.version
    }

    /// Whether the playbook's k3s disables one of its packaged components (`servicelb`, `traefik`, ...);
    /// nil when the playbook installs no k3s.
    public static func disables(_ component: String, _ context: ValidationContext) -> (step: String, disabled: Bool)? {
        context.steps(of: K3sInstall.self).first.map { ($0.id, $0.parameters.disable?.contains(component) ?? false) }
    }
}

extension K3sInstall {
    /// The CRDs of the pinned release, for rehearsals; permissive stand-ins (``defaultCRDs``) for a
    /// release bootstrap does not know.
    public var clusterCRDs: [CRDFile] {
        K3sReleases.release(parameters.version).map { $0.crds.map { CRDFile(name: $0.file, yaml: $0.yaml) } } ?? Self.defaultCRDs
    }
}

extension K3sInstall {
    /// The packaged components this k3s runs that decide how the node's ports are reached: its
    /// Traefik release (by the chart version where the release is known) and ServiceLB, unless
    /// `disable:` names them.
    public var clusterComponents: ClusterComponents {
        let disabled = Set(parameters.disable ?? [])
        return ClusterComponents(
            ingressChart: disabled.contains("traefik") ? nil : (K3sReleases.release(parameters.version)?.traefikChart ?? ""),
            serviceLoadBalancer: !disabled.contains("servicelb"))
    }
}
