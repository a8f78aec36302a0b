import Document

/// `/etc/rancher/k3s/config.yaml` from the step's parameters: the file's keys are the server's flags.
enum K3sConfig {
    static func render(_ p: K3sInstall.Parameters) -> Value {
        var config = Object()
        config["node-name"] = .string(p.nodeName)
        if let labels = p.nodeLabels, !labels.isEmpty {
            config["node-label"] = .array(labels.keys.sorted().map { .string("\($0)=\(labels[$0]!)") })
        }
        if let sans = p.tlsSan, !sans.isEmpty { config["tls-san"] = .array(sans.map(Value.string)) }
        if let disable = p.disable, !disable.isEmpty { config["disable"] = .array(disable.map(Value.string)) }
        config["write-kubeconfig-mode"] = .string(p.writeKubeconfigMode ?? "0600")
        if let oidc = p.oidc {
            let args: [(String, String?)] = [
                ("oidc-issuer-url", oidc.issuerURL), ("oidc-client-id", oidc.clientID),
                ("oidc-username-claim", oidc.usernameClaim), ("oidc-username-prefix", oidc.usernamePrefix),
                ("oidc-groups-claim", oidc.groupsClaim), ("oidc-groups-prefix", oidc.groupsPrefix),
            ]
            config["kube-apiserver-arg"] = .array(args.compactMap { key, value in value.map { .string("\(key)=\($0)") } })
        }
        return .object(config)
    }
}
