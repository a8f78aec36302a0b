#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// A listening IPv4 TCP socket.
public struct TCPListener: Sendable {
    /// Why listening failed: the address, or a call with errno's reason.
    public enum Failure: Error, Sendable {
        case notIPv4(String)
        case system(SystemError)
    }

    private let fd: Int32
    /// The bound port (the kernel's choice when 0 was asked for).
    public let port: Int

    public init(host: String, port requested: Int, backlog: Int32 = 512) throws(Failure) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .system(.last("socket", host)) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(requested).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            posixClose(fd)
            throw .notIPv4(host)
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let error = SystemError.last("listen", "\(host):\(requested)")
            posixClose(fd)
            throw .system(error)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: actual.sin_port))
    }

    /// The next connection (with TCP_NODELAY); nil once the listener is shut down or fails.
    public func accept() -> TCPConnection? {
        while true {
            let client = posixAccept(fd)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return nil
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            return TCPConnection(fd: client)
        }
    }

    /// Wakes a thread blocked in accept() and closes the socket.
    public func close() {
        posixShutdown(fd)
        posixClose(fd)
    }
}

/// One accepted TCP connection: blocking receives and sends.
public struct TCPConnection: Sendable, Hashable {
    let fd: Int32

    /// Up to `limit` bytes; nil at end of stream or on an error.
    public func receive(upTo limit: Int = 65536) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: limit)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, limit, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            chunk.removeSubrange(n...)
            return chunk
        }
    }

    /// Sends every byte (without SIGPIPE); false once the peer is gone.
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { posixSend(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Whether the peer has closed or reset the connection, without consuming or waiting for data.
    public func peerIsGone() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    }

    /// Wakes a thread blocked receiving on this connection; the descriptor stays open.
    public func shutdown() { posixShutdown(fd) }

    public func close() { posixClose(fd) }

    /// Makes the next close send a reset (RST) instead of an orderly end: SO_LINGER with a zero timeout.
    public func resetOnClose() {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    }
}
