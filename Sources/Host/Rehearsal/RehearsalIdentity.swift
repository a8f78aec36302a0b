import FoundationEssentials
import Platform

/// The TLS identity of a rehearsal's simulated API server, kept in `DIR/tls` under k3s' own file
/// names: the cluster's server CA and client CA, made on the rehearsal's first run and kept after
/// (k3s makes its CAs once, valid ten years), the API server's serving certificate signed by the
/// server CA, and an administrator's client certificate (`system:admin`, group `system:masters`)
/// signed by the client CA. The step that provides the cluster puts them where its kind of cluster
/// keeps them when its simulation installs it; the embedded API server serves with ``serving``.
public struct RehearsalIdentity: Sendable {
    public var serverCA: TLSIdentity
    public var clientCA: TLSIdentity
    public var serving: TLSIdentity
    public var admin: TLSIdentity

    /// Each certificate's file name (`NAME.crt`, key `NAME.key`), as k3s names them under
    /// `/var/lib/rancher/k3s/server/tls` (k3s-io/k3s pkg/daemons/control/deps/deps.go, CreateRuntimeCertFiles).
    public var files: [(name: String, identity: TLSIdentity)] {
        [("server-ca", serverCA), ("client-ca", clientCA), ("serving-kube-apiserver", serving), ("client-admin", admin)]
    }

    /// The names every serving certificate carries besides the cluster's own: kube-apiserver's
    /// in-cluster names and loopback (k3s' genServerCerts in deps.go, plus its default SANs).
    static let servingNames = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost"]
}

extension RehearsalHost {
    var identityDirectory: String { directory + "/tls" }

    /// The identity as the last run left it; nil before a run has made one.
    public func clusterIdentity() throws -> RehearsalIdentity? {
        func read(_ name: String) -> TLSIdentity? {
            let base = identityDirectory + "/" + name
            guard let certificate = try? Files.read(base + ".crt"), let key = try? Files.read(base + ".key") else { return nil }
            return TLSIdentity(certificatePEM: String(decoding: certificate, as: UTF8.self), privateKeyPEM: String(decoding: key, as: UTF8.self))
        }
        guard let serverCA = read("server-ca"), let clientCA = read("client-ca"), let serving = read("serving-kube-apiserver"),
              let admin = read("client-admin") else { return nil }
        return RehearsalIdentity(serverCA: serverCA, clientCA: clientCA, serving: serving, admin: admin)
    }

    /// The identity for this run, made where missing: the serving certificate is made again when
    /// the names it must carry (`names`: the cluster's public name, its node's) changed, as k3s
    /// remakes it when its SANs change (deps.go, fieldsChanged); the CAs stay.
    public func clusterIdentity(servingNames names: [String]) throws -> RehearsalIdentity {
        var wanted = RehearsalIdentity.servingNames
        for name in names where !wanted.contains(name) { wanted.append(name) }
        let namesFile = identityDirectory + "/serving-names"
        let recorded = (try? Files.read(namesFile)).map { String(decoding: $0, as: UTF8.self) }
        if let existing = try clusterIdentity(), recorded == wanted.joined(separator: "\n") { return existing }
        try RootedFiles(root: directory).makeDirectory("/tls", mode: 0o700, owner: nil)
        let kept = try clusterIdentity()
        // k3s' CA names: "<prefix>-ca@<unix time>" (deps.go, createSigningCertKey).
        let now = Int(Date().timeIntervalSince1970)
        let serverCA = try kept?.serverCA ?? TLSCertificates.make(.authority, commonName: "k3s-server-ca@\(now)", days: 3650)
        let clientCA = try kept?.clientCA ?? TLSCertificates.make(.authority, commonName: "k3s-client-ca@\(now)", days: 3650)
        let identity = RehearsalIdentity(
            serverCA: serverCA, clientCA: clientCA,
            // A tls-san that parses as an address is an IP name, the rest DNS names, as k3s files them
            // (pkg/daemons/control/deps/deps.go, addSANs: net.ParseIP).
            serving: try TLSCertificates.make(.server, commonName: "kube-apiserver", dnsNames: wanted.filter { !Self.isAddress($0) },
                                              ipAddresses: ["127.0.0.1", "::1"] + wanted.filter(Self.isAddress),
                                              days: 365, issuer: serverCA),
            admin: try kept?.admin ?? TLSCertificates.make(.client, commonName: "system:admin", organization: "system:masters",
                                                           days: 365, issuer: clientCA))
        for (name, tls) in identity.files {
            try Files.writeAtomically(identityDirectory + "/\(name).key", Array(tls.privateKeyPEM.utf8), mode: 0o600, durable: false)
            try Files.writeAtomically(identityDirectory + "/\(name).crt", Array(tls.certificatePEM.utf8), mode: 0o644, durable: false)
        }
        try Files.writeAtomically(namesFile, Array(wanted.joined(separator: "\n").utf8), mode: 0o644, durable: false)
        return identity
    }

    /// An IPv4 or IPv6 literal rather than a DNS name.
    static func isAddress(_ name: String) -> Bool {
        name.contains(":") || (!name.isEmpty && name.allSatisfy { $0.isNumber || $0 == "." })
    }
}
