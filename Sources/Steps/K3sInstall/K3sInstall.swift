import Document
import Engine
import FoundationEssentials
import Host

/// `k3s.install`: installs k3s at a pinned version with a config file bootstrap owns, and waits
/// until the node is Ready; a config change that keeps k3s from coming up is rolled back.
public struct K3sInstall: StepDriver {
    public struct Parameters: Decodable, Sendable {
        /// The pinned release, e.g. `v1.31.4+k3s1`.
        public var version: String
        public var nodeName: String
        public var nodeLabels: [String: String]?
        public var tlsSan: [String]?
        public var disable: [String]?
        public var writeKubeconfigMode: String?
        public var oidc: OIDC?
        public var installer: Installer

        package init(version: String, nodeName: String, nodeLabels: [String: String]? = nil, tlsSan: [String]? = nil,
                    disable: [String]? = nil, writeKubeconfigMode: String? = nil, oidc: OIDC? = nil, installer: Installer) {
            self.version = version
            self.nodeName = nodeName
            self.nodeLabels = nodeLabels
            self.tlsSan = tlsSan
            self.disable = disable
            self.writeKubeconfigMode = writeKubeconfigMode
            self.oidc = oidc
            self.installer = installer
        }
    }

    /// kube-apiserver's OIDC settings.
    public struct OIDC: Decodable, Sendable {
        public var issuerURL: String
        public var clientID: String
        public var usernameClaim: String?
        public var usernamePrefix: String?
        public var groupsClaim: String?
        public var groupsPrefix: String?

        package init(issuerURL: String, clientID: String, usernameClaim: String? = nil, usernamePrefix: String? = nil,
                    groupsClaim: String? = nil, groupsPrefix: String? = nil) {
            self.issuerURL = issuerURL
            self.clientID = clientID
            self.usernameClaim = usernameClaim
            self.usernamePrefix = usernamePrefix
            self.groupsClaim = groupsClaim
            self.groupsPrefix = groupsPrefix
        }
    }

    /// Where the k3s install script comes from: a URL or a file on the host, optionally pinned by digest.
    public struct Installer: Decodable, Sendable {
        public var url: String?
        public var file: String?
        public var sha256: String?

        package init(url: String? = nil, file: String? = nil, sha256: String? = nil) {
            self.url = url
            self.file = file
            self.sha256 = sha256
        }
    }

    public static let type = "k3s.install"
    public static let version = 1
    public static let target = StepTarget.host
    public static let summary = "Install k3s at a pinned version with its config file, and wait for the node to be Ready"

    /// Components `disable:` may name (k3s `--disable`).
    public static let disableableComponents = ["coredns", "servicelb", "traefik", "local-storage", "metrics-server", "runtimes"]
    /// The install script at a k3s release tag (k3s-io/k3s keeps `install.sh` at its root), which
    /// cannot change under a pinned digest; get.k3s.io serves whatever script is newest.
    public static func installerURL(at version: String) -> String {
        "https://raw.githubusercontent.com/k3s-io/k3s/\(version.replacing("+", with: "%2B"))/install.sh"
    }
    /// Where a downloaded installer is kept.
    static let downloadDirectory = "/var/lib/bootstrap"
    static let downloadPath = downloadDirectory + "/k3s-install.sh"

    /// How apply decides that k3s came up; tests and rehearsal may replace it for the current task.
    @TaskLocal public static var readiness = K3sReadiness.kubernetesAPI

    public let id: String
    public let parameters: Parameters

    public init(id: String, parameters: Parameters) {
        self.id = id
        self.parameters = parameters
    }

    /// The config file's content, exactly as written.
    var configText: String { YAML.emit(K3sConfig.render(parameters)) }
    var configMode: UInt16 { 0o600 }
    var installerPath: String { parameters.installer.file ?? Self.downloadPath }
}

// k3s is the cluster: the node it registers, how people reach it, what it serves and runs on its
// own (K3sReleases.swift), how to stop it (K3sPreflight.swift) and how a rehearsal stands in for
// it (K3sRehearsal.swift) are this driver's to say.
extension K3sInstall: ClusterProvider, BindsHostPorts, Preflighted, Rehearsable {
    /// People reach the API server at the first `tlsSan` and log in through `oidc`; k3s puts every
    /// `tlsSan` in its serving certificate (pkg/daemons/control/deps/deps.go).
    public var clusterAccess: ClusterAccess {
        ClusterAccess(publicName: parameters.tlsSan?.first, certificateNames: parameters.tlsSan ?? [], adminKubeconfig: K3sPaths.kubeconfig,
                      oidc: parameters.oidc.map { ClusterAccess.OIDC(issuerURL: $0.issuerURL, clientID: $0.clientID) })
    }
}
