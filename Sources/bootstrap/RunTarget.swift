import FoundationEssentials
import Kube
import Platform

/// What a run works on, as a saved plan records it: the rehearsal directory, or the node's host
/// root and the API server with its cluster CA's fingerprint. `apply FILE` refuses another target
/// (a plan reviewed against staging never applies to production).
enum RunTarget {
    static func describe(_ options: ClusterOptions) -> String {
        if let rehearsal = options.rehearsal { return "rehearsal \(absolute(rehearsal))" }
        let node = "host root \(absolute(options.hostRoot))"
        let environment = Environment.variables
        guard let config = try? KubeConfig.load(explicitPath: options.kubeconfig, environment: environment,
                                                context: options.context, hostRoot: options.hostRoot) else {
            // A fresh node: no kubeconfig until k3s.install writes one.
            return "\(node), no cluster yet"
        }
        let ca = config.tls.certificateAuthority.map { "cluster CA sha256:\(fingerprint($0))" } ?? "the system's trusted CAs"
        return "\(node), API server \(config.server) (\(ca))"
    }

    /// SHA-256 of the CA certificate's DER bytes (what `openssl x509 -noout -fingerprint -sha256`
    /// prints, without colons); of the bytes as given when they are not PEM.
    static func fingerprint(_ certificate: [UInt8]) -> String {
        let text = String(decoding: certificate, as: UTF8.self)
        let body = text.split(separator: "\n").map { String($0).trimming(.whitespace) }
            .drop { !$0.hasPrefix("-----BEGIN") }.dropFirst().prefix { !$0.hasPrefix("-----END") }.joined()
        let der = Data(base64Encoded: body).map(Array.init) ?? certificate
        return SHA256.hash(data: der).hex
    }

    static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
}
