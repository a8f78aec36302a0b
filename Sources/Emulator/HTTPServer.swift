import FoundationEssentials
import Platform
import Synchronization

/// A parsed HTTP/1.1 request.
struct HTTPRequest: Sendable {
    var method: String
    var path: String
    var query: String
    var headers: [String: String]   // lower-cased names
    var body: [UInt8]

    func header(_ name: String) -> String? { headers[name] }
}

/// What to send back; `drop` closes the connection without a response.
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var drop = false
    /// With `drop`: end the connection with a reset rather than a close.
    var reset = false
    /// A streamed body (chunked): the closure writes pieces until it returns or a write fails;
    /// writing an empty piece only asks whether the client is still there.
    var stream: (@Sendable (_ write: ([UInt8]) -> Bool) -> Void)? = nil

    static let dropped = HTTPResponse(status: 0, drop: true)
    static let reset = HTTPResponse(status: 0, drop: true, reset: true)
}

/// A small blocking HTTP/1.1 server: one thread accepts, one thread per connection serves
/// keep-alive requests in order. Loopback only; over TLS when given a ``TLSServerContext``.
final class HTTPServer: Sendable {
    typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    private let listener: TCPListener
    let port: Int
    private let handler: Handler
    private let tls: TLSServerContext?
    private let connections = Mutex<Set<TCPConnection>>([])
    private let stopped = Atomic<Bool>(false)

    init(host: String, port requested: Int, tls: TLSServerContext? = nil, handler: @escaping Handler) throws {
        do {
            listener = try TCPListener(host: host, port: requested)
        } catch {
            switch error {
            case .notIPv4: throw EmulatorError("listen address must be an IPv4 address, got \(host)")
            case .system(let failure) where failure.call == "socket": throw EmulatorError("socket: \(failure.reason)")
            case .system(let failure): throw EmulatorError("cannot listen on \(host):\(requested): \(failure.reason)")
            }
        }
        port = listener.port
        self.tls = tls
        self.handler = handler
    }

    func start() {
        Blocking.thread(name: "emulator-accept") { [self] in acceptLoop() }
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        // shutdown wakes the threads blocked in accept/recv; each closes its own descriptor.
        listener.close()
        connections.withLock { all in for connection in all { connection.shutdown() } }
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            guard let connection = listener.accept() else { return }
            connections.withLock { _ = $0.insert(connection) }
            if stopped.load(ordering: .relaxed) { connection.shutdown() }
            Blocking.thread(name: "emulator-conn", stackSize: 1 << 20) { [self] in
                // The handshake runs here, on the connection's own thread, never holding up accept.
                if let tls {
                    if let secured = tls.accept(connection) {
                        serve(ServedConnection(tcp: connection, tls: secured))
                        secured.end()
                    }
                } else {
                    serve(ServedConnection(tcp: connection, tls: nil))
                }
                connections.withLock { _ = $0.remove(connection) }
                connection.close()
            }
        }
    }

    private func serve(_ fd: ServedConnection) {
        var reader = SocketReader(fd: fd)
        while let request = reader.readRequest() {
            let response = handler(request)
            if response.drop {
                if response.reset { fd.tcp.resetOnClose() }
                return
            }
            var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
            for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
            let closeAfter = request.header("connection")?.lowercased() == "close"
            if closeAfter { head += "Connection: close\r\n" }
            if let stream = response.stream {
                head += "Transfer-Encoding: chunked\r\n\r\n"
                guard writeAll(fd, Array(head.utf8)) else { return }
                var open = true
                stream { piece in
                    guard open else { return false }
                    if piece.isEmpty {
                        // An empty write is a liveness probe: has the client gone away?
                        if fd.tcp.peerIsGone() { open = false }
                        return open
                    }
                    var framed = Array((String(piece.count, radix: 16) + "\r\n").utf8)
                    framed.append(contentsOf: piece)
                    framed.append(contentsOf: [13, 10])
                    open = writeAll(fd, framed)
                    return open
                }
                guard open, writeAll(fd, Array("0\r\n\r\n".utf8)), !closeAfter else { return }
                continue
            }
            head += "Content-Length: \(response.body.count)\r\n\r\n"
            var bytes = Array(head.utf8)
            bytes.append(contentsOf: response.body)
            guard writeAll(fd, bytes), !closeAfter else { return }
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 409: "Conflict"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }
}

func writeAll(_ fd: ServedConnection, _ bytes: [UInt8]) -> Bool {
    fd.send(bytes)
}

/// One connection being served: plain TCP, or TLS over it.
struct ServedConnection {
    let tcp: TCPConnection
    let tls: TLSConnection?

    func receive(upTo limit: Int) -> [UInt8]? {
        if let tls { return tls.receive(upTo: limit) }
        return tcp.receive(upTo: limit)
    }

    func send(_ bytes: [UInt8]) -> Bool {
        if let tls { return tls.send(bytes) }
        return tcp.send(bytes)
    }
}

/// Buffered reads of requests from one connection.
struct SocketReader {
    let fd: ServedConnection
    var buffer: [UInt8] = []
    var start = 0

    init(fd: ServedConnection) { self.fd = fd }

    private mutating func fill() -> Bool {
        if start > 0 && start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        guard let chunk = fd.receive(upTo: 65536) else { return false }
        buffer.append(contentsOf: chunk)
        return true
    }

    /// The next CRLF-terminated line, without the CRLF.
    private mutating func line() -> String? {
        while true {
            if let i = buffer[start...].firstIndex(of: 0x0A) {
                var end = i
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let text = String(decoding: buffer[start..<end], as: UTF8.self)
                start = i + 1
                return text
            }
            guard fill() else { return nil }
        }
    }

    private mutating func bytes(_ count: Int) -> [UInt8]? {
        while buffer.count - start < count { guard fill() else { return nil } }
        let out = Array(buffer[start..<start + count])
        start += count
        return out
    }

    mutating func readRequest() -> HTTPRequest? {
        var requestLine = ""
        while requestLine.isEmpty { guard let l = line() else { return nil }; requestLine = l }
        let parts = requestLine.split(separator: " ")
        guard parts.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        while let l = line(), !l.isEmpty {
            guard let colon = l.firstIndex(of: ":") else { continue }
            let name = l[..<colon].lowercased()
            let value = l[l.index(after: colon)...].trimming(.whitespace)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        if headers["expect"]?.lowercased() == "100-continue" {
            _ = writeAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                guard let sizeLine = line() else { return nil }
                let hex = sizeLine.split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(hex.trimming(.whitespace), radix: 16) else { return nil }
                if size == 0 {
                    while let trailer = line(), !trailer.isEmpty {}
                    break
                }
                guard let chunk = bytes(size) else { return nil }
                body.append(contentsOf: chunk)
                _ = line()
            }
        } else if let length = headers["content-length"].flatMap({ Int($0) }), length > 0 {
            guard let b = bytes(length) else { return nil }
            body = b
        }
        if start > 65536 { buffer.removeFirst(start); start = 0 }
        let target = String(parts[1])
        let path: String, query: String
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q]); query = String(target[target.index(after: q)...])
        } else {
            path = target; query = ""
        }
        return HTTPRequest(method: String(parts[0]).uppercased(), path: path, query: query, headers: headers, body: body)
    }
}
