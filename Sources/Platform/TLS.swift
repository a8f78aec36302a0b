import TLSShim

/// Why TLS could not be set up: OpenSSL missing, or its reason for refusing a key or certificate.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A certificate (PEM, followed by the certificates of its issuers when it is a chain) and its
/// private key (PEM). The key never appears in a description.
public struct TLSIdentity: Sendable, Equatable, CustomStringConvertible {
    public var certificatePEM: String
    public var privateKeyPEM: String

    public init(certificatePEM: String, privateKeyPEM: String) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }

    /// The PEM blocks of ``certificatePEM``, the certificate first.
    public var certificates: [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in certificatePEM.split(separator: "\n") {
            if line == "-----BEGIN CERTIFICATE-----" { current = [] }
            current?.append(line)
            if line == "-----END CERTIFICATE-----", let lines = current {
                blocks.append(lines.joined(separator: "\n") + "\n")
                current = nil
            }
        }
        return blocks
    }

    /// The CA a client trusts to reach a server with this chain: its last certificate (the
    /// certificate itself when it came alone).
    public var authorityPEM: String { certificates.last ?? certificatePEM }

    public var description: String { "certificate (\(certificates.count) in chain), private key hidden" }
}

/// What a made certificate is for.
public enum TLSUsage: Int32, Sendable {
    /// A certificate authority: signs the others.
    case authority = 0
    /// A server's certificate (serverAuth), with the names clients reach it by.
    case server = 1
    /// A client's certificate (clientAuth).
    case client = 2
}

/// Certificates made with the system's OpenSSL (libcrypto, loaded on first use: Sources/TLSShim).
public enum TLSCertificates {
    /// Loads OpenSSL once; the error says what to install when it is missing.
    public static func load() throws(TLSError) {
        var error = [CChar](repeating: 0, count: 512)
        guard bs_tls_load(&error, error.count) != 0 else { return }
        throw TLSError("cannot load OpenSSL 3 (\(text(error))); install it: apt-get install libssl3")
    }

    /// An ECDSA P-256 key and a certificate for it, signed by `issuer` (nil: self-signed, for a CA).
    /// `dnsNames` and `ipAddresses` become its subjectAltName; `days` its validity.
    public static func make(_ usage: TLSUsage, commonName: String, organization: String? = nil, dnsNames: [String] = [],
                            ipAddresses: [String] = [], days: Int, issuer: TLSIdentity? = nil) throws(TLSError) -> TLSIdentity {
        try load()
        let names = dnsNames.map { "DNS:" + $0 } + ipAddresses.map { "IP:" + $0 }
        var error = [CChar](repeating: 0, count: 512)
        var certificate: UnsafeMutablePointer<CChar>? = nil
        var key: UnsafeMutablePointer<CChar>? = nil
        let status = withOptionalCString(organization) { organization in
            withOptionalCString(names.isEmpty ? nil : names.joined(separator: ",")) { altNames in
                withOptionalCString(issuer.map { $0.certificates.first ?? $0.certificatePEM }) { issuerCertificate in
                    withOptionalCString(issuer?.privateKeyPEM) { issuerKey in
                        bs_tls_make_certificate(usage.rawValue, commonName, organization, altNames, Int32(days),
                                                issuerCertificate, issuerKey, &certificate, &key, &error, error.count)
                    }
                }
            }
        }
        defer { bs_tls_free(certificate); bs_tls_free(key) }
        guard status == 0, let certificate, let key else { throw TLSError("cannot make the certificate \(commonName): \(text(error))") }
        // A server's or client's chain carries its CA, as k3s writes serving-kube-apiserver.crt.
        let chain = String(cString: certificate) + (usage == .authority ? "" : issuer.map { $0.authorityPEM } ?? "")
        return TLSIdentity(certificatePEM: chain, privateKeyPEM: String(cString: key))
    }

    static func text(_ error: [CChar]) -> String {
        String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let string else { return body(nil) }
        return string.withCString { body($0) }
    }
}

/// The server side of TLS: a certificate chain and key, and handshakes on accepted connections.
public final class TLSServerContext: @unchecked Sendable {
    // An SSL_CTX: OpenSSL allows it to be shared by threads once set up, as here.
    private let context: UnsafeMutableRawPointer

    public init(identity: TLSIdentity) throws(TLSError) {
        try TLSCertificates.load()
        var error = [CChar](repeating: 0, count: 512)
        guard let context = bs_tls_server_new(identity.certificatePEM, identity.privateKeyPEM, &error, error.count) else {
            throw TLSError(TLSCertificates.text(error))
        }
        self.context = context
    }

    deinit { bs_tls_server_free(context) }

    /// The handshake on `connection`; nil when the client does not complete it.
    public func accept(_ connection: TCPConnection) -> TLSConnection? {
        bs_tls_accept(context, connection.fd).map { TLSConnection(session: $0, connection: connection) }
    }
}

/// One connection after its TLS handshake; owned by the one thread that serves it.
public final class TLSConnection: @unchecked Sendable {
    private let session: UnsafeMutableRawPointer
    public let connection: TCPConnection
    private var ended = false

    init(session: UnsafeMutableRawPointer, connection: TCPConnection) {
        self.session = session
        self.connection = connection
    }

    /// Up to `limit` decrypted bytes; nil at the end of the stream or on an error.
    public func receive(upTo limit: Int = 65536) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: limit)
        let n = chunk.withUnsafeMutableBytes { bs_tls_read(session, $0.baseAddress, limit) }
        guard n > 0 else { return nil }
        chunk.removeSubrange(n...)
        return chunk
    }

    /// Sends every byte; false once the peer is gone.
    public func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { bs_tls_write(session, $0.baseAddress, bytes.count) } == 1
    }

    /// Sends close_notify and frees the session; the TCP connection stays open for its owner to close.
    public func end() {
        guard !ended else { return }
        ended = true
        bs_tls_end(session)
    }

    deinit { end() }
}
