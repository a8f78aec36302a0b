/// Where k3s keeps what bootstrap looks at.
public enum K3sPaths {
    public static let binary = "/usr/local/bin/k3s"
    public static let serviceUnit = "/etc/systemd/system/k3s.service"
    public static let config = "/etc/rancher/k3s/config.yaml"
    public static let kubeconfig = "/etc/rancher/k3s/k3s.yaml"
    /// The server's CAs and certificates (`server-ca.crt`, `serving-kube-apiserver.crt`, ...):
    /// k3s' data directory /var/lib/rancher/k3s/server plus `tls` (k3s-io/k3s pkg/datadir,
    /// pkg/daemons/control/deps/deps.go CreateRuntimeCertFiles).
    public static let tlsDirectory = "/var/lib/rancher/k3s/server/tls"
}
