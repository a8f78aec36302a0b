import Document
import Foundation
@testable import Kube
import TestSupport
import Testing

/// Against a real TLS server (`openssl s_server`), so certificate handling is libcurl's and OpenSSL's, not a fake's.
@Suite(.serialized, .enabled(if: TLSFixture.openssl != nil, "openssl CLI not found on PATH: TLS tests need it"))
struct TLSTests {
    let fixture: TLSFixture

    init() throws { fixture = try TLSFixture() }

    private func tls(ca: [UInt8]? = nil, clientCertificate: Bool = true) -> TLSSettings {
        TLSSettings(certificateAuthority: ca ?? fixture.caPEM,
                    clientCertificate: clientCertificate ? fixture.clientCertificatePEM : nil,
                    clientKey: clientCertificate ? Sensitive(fixture.clientKeyPEM) : nil)
    }

    @Test func clientCertificateAuthenticationSucceeds() async throws {
        let server = try fixture.startServer(requireClientCertificate: true)
        defer { server.stop() }
        let response = try await CurlTransport(tls: tls()).send(HTTPRequest(method: "GET", url: server.url + "/"))
        #expect(response.status == 200)
        let client = KubeClient(config: KubeConfig(path: "k", contextName: "c", server: server.url, tls: tls()))
        #expect(await client.ready())
    }

    @Test func kubeconfigWithEmbeddedDataConnects() async throws {
        let server = try fixture.startServer(requireClientCertificate: true)
        defer { server.stop() }
        let b64 = { (bytes: [UInt8]) in Data(bytes).base64EncodedString() }
        let text = """
            apiVersion: v1
            kind: Config
            current-context: default
            contexts:
            - name: default
              context: {cluster: default, user: default}
            clusters:
            - name: default
              cluster:
                server: \(server.url)
                certificate-authority-data: \(b64(fixture.caPEM))
            users:
            - name: default
              user:
                client-certificate-data: \(b64(fixture.clientCertificatePEM))
                client-key-data: \(b64(Array(fixture.clientKeyPEM.utf8)))
            """
        let config = try KubeConfig.parse(text, path: "k3s.yaml", context: nil)
        #expect(config.warnings.isEmpty)
        #expect(await KubeClient(config: config).ready())
    }

    /// An exec plugin may hand over a client certificate and key instead of a token (client-go's
    /// ExecCredentialStatus); the client logs in with them, and without them the server refuses.
    @Test func anExecPluginsClientCertificateLogsIn() async throws {
        let server = try fixture.startServer(requireClientCertificate: true)
        defer { server.stop() }
        func json(_ s: String) -> String { JSON.encode(.string(s)) }
        let credential = #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"#
            + json(String(decoding: fixture.clientCertificatePEM, as: UTF8.self)) + #","clientKeyData":"# + json(fixture.clientKeyPEM) + "}}"
        let plugin = fixture.directory + "/cert-login"
        try ("#!/bin/sh\ncat <<'EOF'\n" + credential + "\nEOF\n").write(toFile: plugin, atomically: true, encoding: .utf8)
        chmod(plugin, 0o755)
        var config = KubeConfig(path: "k", contextName: "c", server: server.url, tls: tls(clientCertificate: false))
        config.exec = ExecCredentialPlugin(command: plugin, arguments: [], environment: [:], apiVersion: "client.authentication.k8s.io/v1")
        #expect(await KubeClient(config: config).ready())
        let without = KubeClient(config: KubeConfig(path: "k", contextName: "c", server: server.url, tls: tls(clientCertificate: false)))
        #expect(await !without.ready())
    }

    @Test func wrongCertificateAuthorityFailsVerification() async throws {
        let server = try fixture.startServer(requireClientCertificate: true)
        defer { server.stop() }
        do {
            _ = try await CurlTransport(tls: tls(ca: fixture.otherCAPEM)).send(HTTPRequest(method: "GET", url: server.url + "/"))
            Issue.record("expected TLS verification to fail")
        } catch let error as TransportError {
            #expect(error.failure == .tlsVerification)
            #expect(error.message.hasPrefix("TLS certificate verification failed for \(server.url) (check certificate-authority in the kubeconfig)"))
        }
        // Through the client it is a transport KubeError naming the request, and not retried.
        let client = KubeClient(config: KubeConfig(path: "k", contextName: "c", server: server.url, tls: tls(ca: fixture.otherCAPEM)))
        do {
            _ = try await client.get(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "x", name: "y"))
            Issue.record("expected an error")
        } catch let error as KubeError {
            #expect(error.reason == .transport(.tlsVerification))
            #expect(error.description.hasPrefix("GET /api/v1/namespaces/x/configmaps/y: TLS certificate verification failed"))
            #expect(client.stats.total == 1)
        }
    }

    @Test func missingClientCertificateIsNamed() async throws {
        let server = try fixture.startServer(requireClientCertificate: true)
        defer { server.stop() }
        do {
            _ = try await CurlTransport(tls: tls(clientCertificate: false)).send(HTTPRequest(method: "GET", url: server.url + "/"))
            Issue.record("expected the server to refuse the connection")
        } catch let error as TransportError {
            #expect(error.failure == .clientCertificateRequired, "\(error.message)")
            #expect(error.message.hasPrefix("client certificate required by the server"))
        }
    }

    @Test func missingClientCertificateAgainstTLS13IsNamedWhateverTheServerSends() async throws {
        // TLS 1.3 checks the certificate after the handshake: the client hears the server's alert,
        // or only a reset when the alert is lost. Either way the message names the client certificate.
        let server = try fixture.startServer(requireClientCertificate: true, tls13Only: true)
        defer { server.stop() }
        let client = KubeClient(config: KubeConfig(path: "k", contextName: "c", server: server.url, tls: tls(clientCertificate: false)),
                                options: ClientOptions(retryDeadline: .zero))
        do {
            _ = try await client.get(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "x", name: "y"))
            Issue.record("expected the server to refuse the connection")
        } catch let error as KubeError {
            #expect(error.message.contains("client certificate"), "\(error)")
        }
    }

    @Test func insecureSkipVerifyConnectsDespiteUnknownCA() async throws {
        let server = try fixture.startServer(requireClientCertificate: false)
        defer { server.stop() }
        var settings = tls(ca: fixture.otherCAPEM)
        settings.insecureSkipVerify = true
        let response = try await CurlTransport(tls: settings).send(HTTPRequest(method: "GET", url: server.url + "/"))
        #expect(response.status == 200)
    }

    @Test func concurrentRequestsOverRealConnections() async throws {
        let server = try fixture.startServer(requireClientCertificate: true)
        defer { server.stop() }
        let client = KubeClient(config: KubeConfig(path: "k", contextName: "c", server: server.url, tls: tls()))
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<12 { group.addTask { await client.ready() } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 12))
        #expect(client.stats == RequestStats(total: 12, writes: 0))
    }

    @Test func connectionRefusedIsTransportFailure() async throws {
        let server = try fixture.startServer(requireClientCertificate: false)
        let url = server.url
        server.stop()
        do {
            _ = try await CurlTransport(tls: tls()).send(HTTPRequest(method: "GET", url: url + "/"))
            Issue.record("expected connection refused")
        } catch let error as TransportError {
            #expect(error.failure == .connectionRefused)
            #expect(error.message == "connection refused by \(url)")
        }
    }
}

/// libcurl is loaded when the first request goes out (start-up does not pay for it); a node
/// without it gets a message that says what to install, not a loader error before any output.
@Suite struct CurlLibraryTests {
    @Test func aMissingLibcurlSaysWhatToInstall() throws {
        let error = try #require(CurlLibrary.load(soname: "libcurl-bootstrap-test-missing.so.9"))
        #expect(error.failure == .libraryMissing)
        #expect(error.message.contains("cannot load libcurl"))
        #expect(error.message.contains("libcurl-bootstrap-test-missing.so.9"))
        #expect(error.message.hasSuffix("install it: apt-get install libcurl4"))
        // The library in use is untouched: the system's loads (and stays loaded) as before.
        #expect(CurlLibrary.load() == nil)
    }
}
