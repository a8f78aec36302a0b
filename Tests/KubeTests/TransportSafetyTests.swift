import Document
import Platform
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

    /// The decision is taken on the URL as curl reads it: the scheme in any case, the host after userinfo.
    @Test func spellingsOfPlainHTTPToAnotherHostAreRefusedToo() throws {
        for server in ["HTTP://k8s.example.com:6443", "Http://k8s.example.com", "http://k8s.example.com.:6443/"] {
            #expect(server.lowercased().hasPrefix("http://"))
            #expect {
                _ = try KubeConfig.parse(kubeconfig(server: server, user: "{token: abcdef123456}"), path: "kc.yaml", context: nil)
            } throws: { error in
                "\(error)".contains("refusing to send a bearer token over plain HTTP") && !"\(error)".contains("abcdef123456")
            }
        }
        // A credential plugin's token would cross in clear as well.
        #expect {
            _ = try KubeConfig.parse(kubeconfig(server: "http://k8s.example.com",
                                                user: "{exec: {apiVersion: client.authentication.k8s.io/v1, command: get-token}}"),
                                     path: "kc.yaml", context: nil)
        } throws: { "\($0)".contains("refusing to send a bearer token over plain HTTP") }
        // Loopback in any spelling of the scheme and host stays allowed.
        for server in ["HTTP://LOCALHOST:8080", "http://[::1]:8080/", "Http://127.0.0.1"] {
            _ = try KubeConfig.parse(kubeconfig(server: server, user: "{token: abcdef123456}"), path: "kc.yaml", context: nil)
        }
    }

    /// `http://127.0.0.1:1@host` connects to host: what looks like a loopback address is userinfo.
    @Test func userinfoInTheServerURLIsRefusedWithoutQuotingIt() throws {
        for server in ["http://127.0.0.1:1@k8s.example.com", "http://localhost:1@k8s.example.com:6443",
                       "https://admin:hunter2@k8s.example.com"] {
            #expect {
                _ = try KubeConfig.parse(kubeconfig(server: server, user: "{token: abcdef123456}"), path: "kc.yaml", context: nil)
            } throws: { error in
                let text = "\(error)"
                return text.hasPrefix("kc.yaml:5:") && text.contains("user information before an @") && !text.contains("hunter2")
                    && !text.contains("abcdef123456")
            }
        }
    }

    @Test func aServerWithoutAnHTTPSchemeIsRefused() throws {
        // curl would default a schemeless URL to plain HTTP.
        #expect {
            _ = try KubeConfig.parse(kubeconfig(server: "k8s.example.com:6443", user: "{token: abcdef123456}"), path: "kc.yaml", context: nil)
        } throws: { "\($0)".contains("has no scheme: write https://HOST:PORT") }
        #expect {
            _ = try KubeConfig.parse(kubeconfig(server: "ftp://k8s.example.com", user: "{}"), path: "kc.yaml", context: nil)
        } throws: { "\($0)".contains("uses the scheme \"ftp\"") }
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

    /// An answer that never ends (a broken proxy, a hostile endpoint) is abandoned at the bound
    /// instead of being read until memory runs out, and the error names the request.
    @Test(arguments: ["Transfer-Encoding: chunked", "Content-Length: 1099511627776"])
    func anEndlessAnswerIsAbandonedAtTheBoundNamingTheRequest(framing: String) async throws {
        let listener = try TCPListener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let chunked = framing.hasPrefix("Transfer")
        Blocking.thread(name: "endless") {
            while let connection = listener.accept() {
                _ = connection.receive()
                var sent = 0
                guard connection.send(Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\(framing)\r\n\r\n".utf8)) else { continue }
                let block = [UInt8](repeating: UInt8(ascii: " "), count: 1 << 16)
                let chunk = chunked ? Array("10000\r\n".utf8) + block + Array("\r\n".utf8) : block
                // Far past the bound; the client hangs up long before.
                while sent < 4 << 30, connection.send(chunk) { sent += block.count }
                connection.close()
            }
        }
        let client = KubeClient(config: KubeConfig(path: "k", contextName: "c", server: "http://127.0.0.1:\(listener.port)"))
        let ref = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "c")
        await #expect {
            _ = try await client.get(ref)
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.reason == KubeError.Reason.transport(Kube.TransportFailure.responseTooLarge) && "\(error)".hasPrefix("GET /api/v1")
                && "\(error)".contains("outgrew bootstrap's bound of 64 MiB on one response's body")
        }
    }
}
