import Foundation

/// Certificates made with the openssl CLI, and `openssl s_server` processes using them, for
/// testing TLS against a real server.
public final class TLSFixture: @unchecked Sendable {
    public let directory: String
    public let caPEM: [UInt8]
    /// A CA that signed nothing the server uses: trusting only it must fail verification.
    public let otherCAPEM: [UInt8]
    public let clientCertificatePEM: [UInt8]
    public let clientKeyPEM: String

    /// The openssl binary, or nil when it is not installed.
    public static let openssl: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/openssl") {
            return "\(dir)/openssl"
        }
        return nil
    }()

    public init() throws {
        guard let openssl = Self.openssl else { throw FixtureError("openssl CLI not found on PATH") }
        let directory = NSTemporaryDirectory() + "tls-fixture-" + UUID().uuidString
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let run = { (arguments: [String]) in try Self.run(openssl, arguments, in: directory) }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        for ca in ["ca", "other-ca"] {
            try run(["req", "-x509"] + ec + ["-keyout", "\(ca).key", "-out", "\(ca).crt", "-days", "2", "-subj", "/CN=\(ca)"])
        }
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: directory + "/client.ext", atomically: true, encoding: .utf8)
        for leaf in ["server", "client"] {
            try run(["req"] + ec + ["-keyout", "\(leaf).key", "-out", "\(leaf).csr", "-subj", "/CN=\(leaf == "server" ? "127.0.0.1" : "bootstrap-test")"])
            try run(["x509", "-req", "-in", "\(leaf).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                     "-out", "\(leaf).crt", "-days", "2", "-extfile", "\(leaf).ext"])
        }
        let read = { (name: String) in Array(FileManager.default.contents(atPath: directory + "/" + name) ?? Data()) }
        caPEM = read("ca.crt")
        otherCAPEM = read("other-ca.crt")
        clientCertificatePEM = read("client.crt")
        clientKeyPEM = String(decoding: read("client.key"), as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Starts `openssl s_server -www` on a free loopback port; it answers every GET with 200.
    /// `tls13Only` makes it speak TLS 1.3 alone, where the client certificate is checked after the handshake.
    public func startServer(requireClientCertificate: Bool, tls13Only: Bool = false) throws -> TLSServer {
        guard let openssl = Self.openssl else { throw FixtureError("openssl CLI not found on PATH") }
        let log = directory + "/s_server-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.arguments = ["s_server", "-accept", "127.0.0.1:0", "-cert", "server.crt", "-key", "server.key",
                             "-CAfile", "ca.crt", requireClientCertificate ? "-Verify" : "-verify", "1", "-www"]
            + (tls13Only ? ["-tls1_3"] : [])
        // One handle for both streams: two would each write from offset 0 over the other.
        let output = FileHandle(forWritingAtPath: log)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // s_server prints "ACCEPT host:port" once it listens.
        for _ in 0..<200 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT") }),
               let port = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                return TLSServer(process: process, port: port)
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        throw FixtureError("openssl s_server did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    static func run(_ executable: String, _ arguments: [String], in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("openssl \(arguments.prefix(2).joined(separator: " ")) failed with status \(process.terminationStatus)")
        }
    }
}

/// A running `openssl s_server`; stopped by ``stop()`` or when released.
public final class TLSServer: @unchecked Sendable {
    private let process: Process
    public let port: Int
    public var url: String { "https://127.0.0.1:\(port)" }

    init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    public func stop() {
        if process.isRunning {
            // SIGKILL: Process starts children with the spawning thread's signal mask, in which
            // dispatch worker threads block SIGTERM, so terminate() would be ignored.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
