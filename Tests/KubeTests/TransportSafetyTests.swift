import Document
import Foundation
@testable import Kube
import Testing

/// A kubeconfig that would send credentials in clear, and a missing client certificate, are named.
@Suite struct TransportSafetyTests {
    func kubeconfig(server: String, user: String) -> String {
        """
        apiVersion: v1
        kind: Config
        current-context: c
        contexts: [{name: c, context: {cluster: k, user: u}}]
        clusters: [{name: k, cluster: {server: "\(server)"}}]
        users: [{name: u, user: \(user)}]
        """
    }

    @Test func aBearerTokenOverPlainHTTPIsRefusedUnlessLoopback() throws {
        #expect {
            _ = try KubeConfig.parse(kubeconfig(server: "http://k8s.example.com:6443", user: "{token: abcdef123456}"), path: "kc.yaml", context: nil)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("kc.yaml:") && text.contains("plain HTTP") && text.contains("http://k8s.example.com:6443")
                && !text.contains("abcdef123456")
        }
        // Loopback (the emulator, an SSH tunnel) stays allowed.
        _ = try KubeConfig.parse(kubeconfig(server: "http://127.0.0.1:8080", user: "{token: abcdef123456}"), path: "kc.yaml", context: nil)
    }

    @Test func aResetDuringTheHandshakeWithoutAClientCertificateNamesTheLikelyCause() {
        // What a TLS 1.3 server that requires a client certificate often looks like to the client:
        // the handshake completes, then the server's alert is lost to a reset.
        let error = CurlEasy.classify(code: 56 /* CURLE_RECV_ERROR */, curlText: "Recv failure: Connection reset by peer", osErrno: Int(ECONNRESET),
                                      url: "https://10.0.0.1:6443/api", hasClientCertificate: false)
        #expect(error.failure == .connectionReset)
        #expect(error.message.contains("the server may require a client certificate, and the kubeconfig has none"))
        let withCertificate = CurlEasy.classify(code: 56 /* CURLE_RECV_ERROR */, curlText: "Recv failure: Connection reset by peer", osErrno: Int(ECONNRESET),
                                                url: "https://10.0.0.1:6443/api", hasClientCertificate: true)
        #expect(!withCertificate.message.contains("client certificate"))
    }
}
