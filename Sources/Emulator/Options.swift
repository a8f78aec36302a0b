import Platform

/// How an ``EmulatorServer`` listens, what it loads at start and where it keeps its state.
public struct EmulatorOptions: Sendable {
    /// `HOST:PORT` on loopback; port 0 picks a free port.
    public var listen: String
    /// A JSON file: loaded at start when present, rewritten atomically after each write.
    public var stateFile: String?
    /// Every CRD YAML file in this directory is created at start.
    public var crdDirectory: String?
    /// The name of the single Node object, Ready and labelled `kubernetes.io/hostname`.
    public var nodeName: String
    /// Stand in for k3s' packaged Traefik release and ServiceLB (nil: a plain API server).
    public var k3sAddons: K3sAddons?
    /// The time its kubelet runs on (a crashing container's loop); nil: real time since the start.
    /// A rehearsal passes its client's virtual time, so both move on together.
    public var clock: (@Sendable () -> Duration)?
    /// Serve HTTPS with this certificate chain and key (nil: plain HTTP). A rehearsal serves its
    /// simulated k3s' serving certificate, signed by the cluster CA.
    public var tls: TLSIdentity?

    public init(listen: String = "127.0.0.1:0", stateFile: String? = nil, crdDirectory: String? = nil, nodeName: String = "node-1",
                k3sAddons: K3sAddons? = nil, clock: (@Sendable () -> Duration)? = nil, tls: TLSIdentity? = nil) {
        self.clock = clock
        self.tls = tls
        self.k3sAddons = k3sAddons
        self.listen = listen
        self.stateFile = stateFile
        self.crdDirectory = crdDirectory
        self.nodeName = nodeName
    }
}

/// One request the emulator answered (or refused through a fault).
public struct RequestRecord: Sendable, Equatable {
    public var method: String
    /// The path without the query string.
    public var path: String
    /// The raw query string, without `?` (empty when none).
    public var query: String
    /// The status sent; 0 when the connection was dropped by a fault.
    public var status: Int
    /// True when the request carried `dryRun=All`.
    public var dryRun: Bool
    /// True when a fault answered (or dropped) the request instead of the emulator.
    public var faulted: Bool

    public init(method: String, path: String, query: String, status: Int, dryRun: Bool, faulted: Bool = false) {
        self.method = method
        self.path = path
        self.query = query
        self.status = status
        self.dryRun = dryRun
        self.faulted = faulted
    }
}

/// A scripted misbehaviour: requests that match are answered with an error, dropped or delayed.
public struct Fault: Sendable {
    /// What happens to a matching request.
    public enum Action: Sendable, Equatable {
        /// Answer with this HTTP status and a Status body, optionally with `Retry-After`.
        case status(Int, retryAfterSeconds: Int?)
        /// Close the connection without answering.
        case dropConnection
        /// Reset the connection (RST) without answering.
        case resetConnection
        /// Serve the request (its effect lands), then close the connection without the answer.
        case loseResponse
        /// Wait, then serve the request normally.
        case delay(Duration)
    }

    /// The HTTP method to match (nil matches any).
    public var method: String?
    /// The path prefix to match (nil matches any).
    public var pathPrefix: String?
    public var action: Action
    /// How many matching requests it affects (nil: all of them).
    public var times: Int?
    /// The chance that a matching request is affected; 1.0 always.
    public var probability: Double
    /// Seeds the generator that draws against `probability`, so runs are reproducible.
    public var seed: UInt64

    public init(method: String? = nil, pathPrefix: String? = nil, action: Action, times: Int? = nil,
                probability: Double = 1.0, seed: UInt64 = 0x5EED) {
        self.method = method
        self.pathPrefix = pathPrefix
        self.action = action
        self.times = times
        self.probability = probability
        self.seed = seed
    }

    /// Answer matching requests with `code` (429 by default), optionally with `Retry-After`.
    public static func status(_ code: Int, retryAfterSeconds: Int? = nil, method: String? = nil, pathPrefix: String? = nil, times: Int? = nil) -> Fault {
        Fault(method: method, pathPrefix: pathPrefix, action: .status(code, retryAfterSeconds: retryAfterSeconds), times: times)
    }
}

/// Why the emulator could not start.
public struct EmulatorError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What ``EmulatorServer/beforeEachWrite(_:)`` decides for one write.
public enum WriteGate: Sendable {
    case proceed
    /// Close the connection without serving the write, as if the server never saw it.
    case drop
}
