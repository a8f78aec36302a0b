/// How a person reaches a cluster a step provides: its public name, where the node keeps its admin
/// kubeconfig (the cluster CA), and the OIDC login the API server accepts.
public struct ClusterAccess: Sendable, Equatable {
    /// The OIDC issuer and client the API server accepts tokens from.
    public struct OIDC: Sendable, Equatable {
        public var issuerURL: String
        public var clientID: String
        public init(issuerURL: String, clientID: String) {
            self.issuerURL = issuerURL
            self.clientID = clientID
        }
    }

    /// The API server's name in its certificate and DNS (nil: none declared).
    public var publicName: String?
    /// Every name the API server's certificate carries besides its built-in ones (k3s: each
    /// `--tls-san`), the public name first.
    public var certificateNames: [String]
    /// Host path of the kubeconfig the cluster writes for its administrator.
    public var adminKubeconfig: String
    /// nil: the API server accepts no OIDC login.
    public var oidc: OIDC?

    public init(publicName: String?, certificateNames: [String]? = nil, adminKubeconfig: String, oidc: OIDC?) {
        self.publicName = publicName
        self.certificateNames = certificateNames ?? (publicName.map { [$0] } ?? [])
        self.adminKubeconfig = adminKubeconfig
        self.oidc = oidc
    }
}
