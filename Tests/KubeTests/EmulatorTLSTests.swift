import Document
import Emulator
import Foundation
@testable import Kube
import Platform
import TestSupport
import Testing

/// The emulator over TLS, as a rehearsal's simulated k3s serves: a certificate its CA signed, made
/// with the system's OpenSSL (Sources/TLSShim), and the project's own client (libcurl) checking it.
@Suite struct EmulatorTLSTests {
    let ca: TLSIdentity
    let serving: TLSIdentity

    init() throws {
        ca = try TLSCertificates.make(.authority, commonName: "test-server-ca", days: 1)
        serving = try TLSCertificates.make(.server, commonName: "kube-apiserver", dnsNames: ["localhost", "k8s.example.org"],
                                           ipAddresses: ["127.0.0.1"], days: 1, issuer: ca)
    }

    func started() throws -> EmulatorServer {
        let server = try EmulatorServer(options: EmulatorOptions(tls: serving))
        try server.start()
        return server
    }

    @Test func servesTheAPIOverTLSToAClientTrustingItsCA() async throws {
        let server = try started()
        defer { server.stop() }
        #expect(server.baseURL.hasPrefix("https://127.0.0.1:"))
        let config = try KubeConfig.parse(server.kubeconfigYAML(), path: "kubeconfig", context: nil)
        #expect(config.tls.certificateAuthority == Array(ca.certificatePEM.utf8), "the kubeconfig trusts the CA, not the serving certificate")
        let client = KubeClient(config: config)
        let namespace = try await client.get(ObjectRef(apiVersion: "v1", kind: "Namespace", name: "default"))
        #expect(namespace?["metadata"]?["name"] == "default")
    }

    @Test func aClientTrustingAnotherCAIsRefused() async throws {
        let server = try started()
        defer { server.stop() }
        let other = try TLSCertificates.make(.authority, commonName: "another-ca", days: 1)
        let transport = CurlTransport(tls: TLSSettings(certificateAuthority: Array(other.certificatePEM.utf8)))
        await #expect(throws: TransportError.self) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL + "/api"))
        }
        let trusting = CurlTransport(tls: TLSSettings(certificateAuthority: Array(ca.certificatePEM.utf8)))
        #expect(try await trusting.send(HTTPRequest(method: "GET", url: server.baseURL + "/api")).status == 200)
    }

    /// A plain-HTTP request to the TLS port is no request: nothing is served without the handshake.
    @Test func plainHTTPGetsNoAnswer() async throws {
        let server = try started()
        defer { server.stop() }
        let url = server.baseURL.replacingOccurrences(of: "https://", with: "http://") + "/api"
        await #expect(throws: TransportError.self) {
            _ = try await CurlTransport(tls: TLSSettings()).send(HTTPRequest(method: "GET", url: url))
        }
        #expect(server.requests().isEmpty)
    }

    /// The certificate carries what a client checks: its names, the server usage, and the CA's signature.
    @Test(.enabled(if: TLSFixture.openssl != nil, "openssl CLI not found on PATH"))
    func theCertificateIsOneOpenSSLVerifies() throws {
        let dir = TemporaryDirectory()
        try dir.write("ca.crt", ca.certificatePEM)
        try dir.write("serving.crt", serving.certificatePEM)
        try dir.write("other.crt", try TLSCertificates.make(.authority, commonName: "another-ca", days: 1).certificatePEM)
        let openssl = try #require(TLSFixture.openssl)
        let verified = try runProcess(openssl, ["verify", "-CAfile", dir.file("ca.crt"), "-purpose", "sslserver",
                                                "-verify_hostname", "k8s.example.org", dir.file("serving.crt")])
        #expect(verified.status == 0, "\(verified.output)")
        let wrongName = try runProcess(openssl, ["verify", "-CAfile", dir.file("ca.crt"), "-verify_hostname", "other.example.org", dir.file("serving.crt")])
        #expect(wrongName.status != 0)
        let wrongCA = try runProcess(openssl, ["verify", "-CAfile", dir.file("other.crt"), dir.file("serving.crt")])
        #expect(wrongCA.status != 0)
        #expect(serving.certificates.count == 2, "the serving chain carries its CA, as k3s' serving-kube-apiserver.crt does")
        #expect(!serving.description.contains("PRIVATE KEY"))
    }
}
