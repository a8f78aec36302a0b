#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
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
    /// A streamed body (chunked): the closure writes pieces until it returns or a write fails;
    /// writing an empty piece only asks whether the client is still there.
    var stream: (@Sendable (_ write: ([UInt8]) -> Bool) -> Void)? = nil

    static let dropped = HTTPResponse(status: 0, drop: true)
}

/// A small blocking HTTP/1.1 server: one thread accepts, one thread per connection serves
/// keep-alive requests in order. Loopback only; no TLS.
final class HTTPServer: Sendable {
    typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    private let listenFD: Int32
    let port: Int
    private let handler: Handler
    private let connections = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)

    init(host: String, port requested: Int, handler: @escaping Handler) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw EmulatorError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(requested).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            close(fd)
            throw EmulatorError("listen address must be an IPv4 address, got \(host)")
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 512) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw EmulatorError("cannot listen on \(host):\(requested): \(message)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listenFD = fd
        port = Int(UInt16(bigEndian: actual.sin_port))
        self.handler = handler
    }

    func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "emulator-accept"
        thread.start()
    }

    func stop() {
        guard !stopped.exchange(true, ordering: .sequentiallyConsistent) else { return }
        // shutdown wakes the threads blocked in accept/recv; each closes its own descriptor.
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        connections.withLock { fds in for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) } }
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            connections.withLock { _ = $0.insert(fd) }
            if stopped.load(ordering: .relaxed) { shutdown(fd, Int32(SHUT_RDWR)) }
            let thread = Thread { [self] in
                serve(fd)
                connections.withLock { _ = $0.remove(fd) }
                close(fd)
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var reader = SocketReader(fd: fd)
        while let request = reader.readRequest() {
            let response = handler(request)
            if response.drop { return }
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
                        var byte: UInt8 = 0
                        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
                        if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) { open = false }
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

func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
    }
    return true
}

/// Buffered reads of requests from one connection.
struct SocketReader {
    let fd: Int32
    var buffer: [UInt8] = []
    var start = 0

    init(fd: Int32) { self.fd = fd }

    private mutating func fill() -> Bool {
        if start > 0 && start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, 65536, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
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
            let value = l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)
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
                guard let size = Int(hex.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
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
