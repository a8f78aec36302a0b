import Document

/// One HTTP request as the client hands it to a transport.
public struct HTTPRequest: Sendable {
    public var method: String
    /// Absolute URL including the query.
    public var url: String
    /// Extra header lines, `Name: value`.
    public var headers: [String]
    public var body: [UInt8]?
    /// A client certificate and key for this request in place of the kubeconfig's (an exec plugin's).
    public var clientIdentity: (certificate: [UInt8], key: Sensitive)?

    public init(method: String, url: String, headers: [String] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What came back: status, headers (names lowercased) and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why no HTTP response arrived.
public enum TransportFailure: String, Sendable, Equatable {
    case connectionRefused, connectionReset, timeout, hostNotFound
    case tlsVerification, clientCertificateRequired, clientCertificateRejected, tlsHandshake
    /// The system's libcurl could not be loaded (not installed).
    case libraryMissing
    /// The answer was larger than ``ResponseLimits`` allow; reading on could exhaust memory.
    case responseTooLarge
    case other

    /// Whether the request certainly never reached the server, so even a POST may be sent again.
    var neverSent: Bool { self == .connectionRefused || self == .hostNotFound }
    /// Whether trying again can help at all.
    var transient: Bool { self == .connectionRefused || self == .connectionReset || self == .timeout }
}

/// How much of one API answer bootstrap reads before it gives up on it.
///
/// client-go reads a body whole, without a limit (kubernetes v1.20.2, staging/src/k8s.io/client-go/
/// rest/request.go, `transformResponse`: `ioutil.ReadAll(resp.Body)`), trusting the server; bootstrap
/// does not, since a broken proxy or a hostile endpoint can answer endlessly. What the API server
/// itself sends is far smaller: one object is at most what etcd stores (`--max-request-bytes`,
/// 1.5 MiB by default: go.etcd.io/etcd/embed/config.go, `DefaultMaxRequestBytes`), a request at
/// most 3 MiB (k8s.io/apiserver/pkg/server/config.go, `MaxRequestBodyBytes`), and lists are read in
/// pages of ``listPage`` items, kubectl's `--chunk-size` default (k8s.io/kubectl/pkg/cmd/get/get.go).
/// 64 MiB holds a page of 500 objects of 128 KiB each, or 40 objects of the largest size, in JSON.
public enum ResponseLimits {
    /// Bytes of one response body.
    public static let body = 64 << 20
    /// Bytes of one response's header lines.
    public static let headers = 1 << 20
    /// Items asked for per list request (`limit`), as kubectl asks.
    public static let listPage = 500

    /// "64 MiB", for messages.
    static func text(_ bytes: Int) -> String { "\(bytes >> 20) MiB" }
}

/// A request that got no HTTP response, with a message a person can act on.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var failure: TransportFailure
    public var message: String
    public init(_ failure: TransportFailure, _ message: String) {
        self.failure = failure
        self.message = message
    }
    public var description: String { message }
}

/// Sends HTTP requests; libcurl in production, a fake in tests of the retry logic.
public protocol HTTPTransport: Sendable {
    /// Throws ``TransportError`` when no response arrived; any HTTP status is a response.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// How the transport authenticates the server and itself.
public struct TLSSettings: Sendable {
    /// PEM bundle of trusted CAs; nil means the system store.
    public var certificateAuthority: [UInt8]?
    public var clientCertificate: [UInt8]?
    public var clientKey: Sensitive?
    public var bearerToken: Sensitive?
    /// Only from `insecure-skip-tls-verify: true`, which always comes with a warning.
    public var insecureSkipVerify: Bool

    public init(certificateAuthority: [UInt8]? = nil, clientCertificate: [UInt8]? = nil, clientKey: Sensitive? = nil,
                bearerToken: Sensitive? = nil, insecureSkipVerify: Bool = false) {
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.bearerToken = bearerToken
        self.insecureSkipVerify = insecureSkipVerify
    }
}
