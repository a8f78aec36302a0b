import Platform
import CurlShim
import Document
import FoundationEssentials

/// Per-request settings that do not change during a run.
struct CurlSettings: Sendable {
    var tls: TLSSettings
    var connectTimeout: Duration
    var requestTimeout: Duration
    var maxBodyBytes = ResponseLimits.body
    var maxHeaderBytes = ResponseLimits.headers
}

/// Collects a response while libcurl delivers it; reached from the C callbacks through `userdata`.
private final class ResponseSink {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var headerBytes = 0
    let maxBodyBytes: Int
    let maxHeaderBytes: Int
    /// Set when the answer outgrew a bound; the callback then returns 0 and curl stops reading.
    var tooLarge: String?

    init(maxBodyBytes: Int, maxHeaderBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderBytes = maxHeaderBytes
    }
}

/// One libcurl easy handle. Reusing it keeps its connection cache (and HTTP/2 session) alive, so it
/// lives as long as the worker thread that owns it; never shared between threads.
final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init() {
        guard let handle = bs_curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.handle = handle
    }

    deinit {
        bs_curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    func perform(_ request: HTTPRequest, _ settings: CurlSettings) -> Result<HTTPResponse, TransportError> {
        // reset keeps live connections, TLS sessions and the DNS cache; only options go.
        bs_curl_easy_reset(handle)
        errorBuffer[0] = 0
        let sink = ResponseSink(maxBodyBytes: settings.maxBodyBytes, maxHeaderBytes: settings.maxHeaderBytes)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { bs_curl_slist_free_all(headerList) }
        var lines = request.headers
        // libcurl otherwise waits up to a second for "100 Continue" before large bodies.
        lines.append("Expect:")
        if let token = settings.tls.bearerToken { lines.append("Authorization: Bearer \(token.revealed)") }
        for line in lines { headerList = bs_curl_slist_append(headerList, line) }

        setLong(CURLOPT_NOSIGNAL, 1)  // signals and threads do not mix
        setString(CURLOPT_URL, request.url)
        setPointer(CURLOPT_ERRORBUFFER, errorBuffer)
        setPointer(CURLOPT_HTTPHEADER, headerList)
        setLong(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        setLong(CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeout.milliseconds)
        setLong(CURLOPT_TIMEOUT_MS, settings.requestTimeout.milliseconds)
        _ = bs_easy_setopt_pointer(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        var tls = settings.tls
        if let identity = request.clientIdentity {
            tls.clientCertificate = identity.certificate
            tls.clientKey = identity.key
        }
        applyTLS(tls)

        switch request.method {
        case "GET": setLong(CURLOPT_HTTPGET, 1)
        case "HEAD": setLong(CURLOPT_NOBODY, 1)
        default: setString(CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            _ = bs_easy_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            _ = body.withUnsafeBytes { bs_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress ?? UnsafeRawPointer(errorBuffer)) }
        }

        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        setPointer(CURLOPT_WRITEDATA, sinkPointer)
        setPointer(CURLOPT_HEADERDATA, sinkPointer)
        setResponseCallbacks()

        let code = withExtendedLifetime(sink) { bs_curl_easy_perform(handle) }
        if let part = sink.tooLarge {
            let bound = part == "body" ? settings.maxBodyBytes : settings.maxHeaderBytes
            return .failure(TransportError(.responseTooLarge, "the answer from \(Self.origin(of: request.url)) outgrew bootstrap's bound of "
                + "\(ResponseLimits.text(bound)) on one response's \(part) and was abandoned (an API server's answers stay far below it: "
                + "is something other than the API server answering at this address?)"))
        }
        guard code == CURLE_OK else { return .failure(describe(code, url: request.url, hasClientCertificate: settings.tls.clientCertificate != nil)) }
        var status = 0
        _ = bs_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.body))
    }

    /// Where libcurl hands the answer: the body and the headers go to the `ResponseSink` set as
    /// WRITEDATA/HEADERDATA, each within its bound.
    private func setResponseCallbacks() {
        _ = bs_easy_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let n = size * count
            guard let data, let user else { return n }
            let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
            // Returning fewer bytes than given makes curl stop with CURLE_WRITE_ERROR.
            guard sink.body.count + n <= sink.maxBodyBytes else {
                sink.tooLarge = "body"
                return 0
            }
            sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n))
            return n
        }
        _ = bs_easy_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let n = size * count
            guard let data, let user else { return n }
            let sink = Unmanaged<ResponseSink>.fromOpaque(user).takeUnretainedValue()
            sink.headerBytes += n
            guard sink.headerBytes <= sink.maxHeaderBytes else {
                sink.tooLarge = "headers"
                return 0
            }
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: n), as: UTF8.self)
            if line.hasPrefix("HTTP/") {
                sink.headers = [:]  // a new response (after 100 Continue or a redirect) starts over
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimming(.whitespaceAndNewlines)
                // A header sent more than once (Warning: one per unknown field) is one comma-separated
                // list, as RFC 9110 §5.3 allows.
                if let earlier = sink.headers[name] { sink.headers[name] = earlier + ", " + value } else { sink.headers[name] = value }
            }
            return n
        }
    }

    private func applyTLS(_ tls: TLSSettings) {
        setLong(CURLOPT_SSL_VERIFYPEER, tls.insecureSkipVerify ? 0 : 1)
        setLong(CURLOPT_SSL_VERIFYHOST, tls.insecureSkipVerify ? 0 : 2)
        if let ca = tls.certificateAuthority {
            setBlob(CURLOPT_CAINFO_BLOB, ca)
            // The kubeconfig's CA is the only trust anchor, as for kubectl (client-go builds its
            // pool from certificate-authority(-data) alone). libcurl would otherwise also consult
            // the system's CA directory (CURLOPT_CAPATH's built-in default): a public CA could vouch
            // for the API server, and loading it cost the first request a few milliseconds.
            setPointer(CURLOPT_CAINFO, nil)
            setPointer(CURLOPT_CAPATH, nil)
        }
        if let cert = tls.clientCertificate {
            setString(CURLOPT_SSLCERTTYPE, "PEM")
            setBlob(CURLOPT_SSLCERT_BLOB, cert)
        }
        if let key = tls.clientKey {
            setString(CURLOPT_SSLKEYTYPE, "PEM")
            setBlob(CURLOPT_SSLKEY_BLOB, Array(key.revealed.utf8))
        }
    }

    /// Turns curl's terse error into what went wrong and what to check.
    private func describe(_ code: CURLcode, url: String, hasClientCertificate: Bool) -> TransportError {
        let detail = String(cString: errorBuffer)
        let curlText = detail.isEmpty ? String(cString: bs_curl_easy_strerror(code)) : detail
        var osErrno = 0
        _ = bs_easy_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
        return Self.classify(code: code.rawValue, curlText: curlText, osErrno: osErrno, url: url, hasClientCertificate: hasClientCertificate)
    }

    /// What a curl failure means, from its code, text and errno (a pure function, so it is testable).
    static func classify(code rawCode: UInt32, curlText: String, osErrno: Int, url: String, hasClientCertificate: Bool) -> TransportError {
        let code = CURLcode(rawValue: rawCode)
        let origin = CurlEasy.origin(of: url)
        let lower = curlText.lowercased()
        // The server's TLS alerts arrive as text only; our own verification failure has its own code.
        let serverAlert = code != CURLE_PEER_FAILED_VERIFICATION
        if serverAlert && (lower.contains("certificate required") || lower.contains("alert handshake failure")) {
            return TransportError(.clientCertificateRequired,
                                  "client certificate required by the server at \(origin) (check client-certificate and client-key in the kubeconfig)")
        }
        if serverAlert && (lower.contains("bad certificate") || lower.contains("unknown ca") || lower.contains("certificate unknown")) {
            return TransportError(.clientCertificateRejected,
                                  "the server at \(origin) rejected the client certificate (\(curlText))")
        }
        switch code {
        case CURLE_COULDNT_CONNECT:
            if osErrno == SystemError.connectionRefused { return TransportError(.connectionRefused, "connection refused by \(origin)") }
            return TransportError(.connectionRefused, "could not connect to \(origin): \(curlText)")
        case CURLE_COULDNT_RESOLVE_HOST:
            return TransportError(.hostNotFound, "could not resolve the host of \(origin)")
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError(.timeout, "timed out talking to \(origin) (\(curlText))")
        case CURLE_PEER_FAILED_VERIFICATION:
            return TransportError(.tlsVerification,
                                  "TLS certificate verification failed for \(origin) (check certificate-authority in the kubeconfig): \(curlText)")
        case CURLE_SSL_CACERT_BADFILE:
            return TransportError(.tlsVerification, "the certificate-authority in the kubeconfig is not usable: \(curlText)")
        case CURLE_SSL_CERTPROBLEM:
            return TransportError(.clientCertificateRejected, "the client certificate or key in the kubeconfig is not usable: \(curlText)")
        case CURLE_SSL_CONNECT_ERROR:
            return TransportError(.tlsHandshake, "TLS handshake with \(origin) failed: \(curlText)")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            // A TLS 1.3 server checks the client certificate after the handshake; its alert is often
            // lost to the reset that follows, so a missing certificate reads as a reset.
            let hint = url.lowercased().hasPrefix("https://") && !hasClientCertificate
                ? "; the server may require a client certificate, and the kubeconfig has none (check client-certificate and client-key)" : ""
            return TransportError(.connectionReset, "connection to \(origin) was reset (\(curlText))\(hint)")
        default:
            return TransportError(.other, "request to \(origin) failed: \(curlText)")
        }
    }

    /// `scheme://host:port` of a URL, for messages.
    static func origin(of url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        return String(url[..<end])
    }

    private func setLong(_ option: CURLoption, _ value: Int) { _ = bs_easy_setopt_long(handle, option, value) }
    private func setString(_ option: CURLoption, _ value: String) { _ = bs_easy_setopt_pointer(handle, option, value) }
    private func setPointer(_ option: CURLoption, _ value: UnsafeRawPointer?) { _ = bs_easy_setopt_pointer(handle, option, value) }
    private func setPointer<T>(_ option: CURLoption, _ value: UnsafeMutablePointer<T>?) {
        _ = bs_easy_setopt_pointer(handle, option, UnsafeRawPointer(value))
    }
    private func setBlob(_ option: CURLoption, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { bs_easy_setopt_blob(handle, option, $0.baseAddress, $0.count) }
    }
}

extension Duration {
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
