import ArgumentParser
import Emulator
import Platform

struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Serve a Kubernetes API emulator on loopback (for tests, rehearsals and benchmarks).",
        discussion: "Runs until interrupted. kubectl works against it through the kubeconfig it writes.")

    @Option(help: "Address to listen on; port 0 picks a free one (loopback only).")
    var listen = "127.0.0.1:0"

    @Option(help: "Keep state in this JSON file, so it survives restarts.")
    var state: String?

    @Option(help: "Load every CRD in this directory at start.")
    var crds: String?

    @Option(help: "Write a kubeconfig for the emulator here (how a caller finds the port).")
    var kubeconfigOut: String?

    @Option(help: "The name of the simulated node.")
    var nodeName = "node-1"

    @Option(help: ArgumentHelp("Serve HTTPS with this certificate (PEM, its CA after it, as a rehearsal's tls/serving-kube-apiserver.crt holds it); --kubeconfig-out then trusts that CA.", valueName: "FILE"))
    var tlsCertFile: String?

    @Option(help: ArgumentHelp("The private key (PEM) of --tls-cert-file.", valueName: "FILE"))
    var tlsPrivateKeyFile: String?

    @Option(name: .customLong("fault-429"), help: "Share of requests answered 429 Too Many Requests (0 to 1).")
    var fault429 = 0.0

    @Option(name: .customLong("fault-5xx"), help: "Share of requests answered 503 Service Unavailable, without being served (0 to 1).")
    var fault5xx = 0.0

    @Option(name: .customLong("fault-drop"), help: "Share of connections closed without an answer (0 to 1).")
    var faultDrop = 0.0

    @Option(name: .customLong("fault-reset"), help: "Share of connections reset (RST) without an answer (0 to 1).")
    var faultReset = 0.0

    @Option(name: .customLong("fault-lost"), help: "Share of requests served whose answer is lost: the effect lands, the client hears nothing (0 to 1).")
    var faultLost = 0.0

    @Option(name: .customLong("fault-seed"), help: "Seed of the fault draws, so a faulty run can be repeated.")
    var faultSeed: UInt64 = 1

    /// The faults the options ask for; each draws on its own, in this order, for every request.
    var faults: [Fault] {
        [(fault429, Fault.Action.status(429, retryAfterSeconds: nil)), (fault5xx, .status(503, retryAfterSeconds: nil)),
         (faultDrop, .dropConnection), (faultReset, .resetConnection), (faultLost, .loseResponse)].enumerated().compactMap { index, entry in
            entry.0 > 0 ? Fault(action: entry.1, probability: entry.0, seed: faultSeed &+ UInt64(index)) : nil
        }
    }

    func validate() throws {
        for (name, rate) in [("--fault-429", fault429), ("--fault-5xx", fault5xx), ("--fault-drop", faultDrop),
                             ("--fault-reset", faultReset), ("--fault-lost", faultLost)] where !(0...1).contains(rate) {
            throw ValidationError("\(name) must be a share from 0 to 1, such as 0.05")
        }
        let host = listen.split(separator: ":").dropLast().joined(separator: ":")
        guard ["127.0.0.1", "localhost", "[::1]", "::1"].contains(host) || host.hasPrefix("127.") else {
            throw ValidationError("--listen must be a loopback address (127.0.0.1:PORT); the emulator has no authentication")
        }
        guard (tlsCertFile == nil) == (tlsPrivateKeyFile == nil) else {
            throw ValidationError("--tls-cert-file and --tls-private-key-file go together")
        }
    }

    /// The certificate and key the options name, read as kube-apiserver's flags of the same names read them.
    func tlsIdentity() throws -> TLSIdentity? {
        guard let tlsCertFile, let tlsPrivateKeyFile else { return nil }
        do {
            return TLSIdentity(certificatePEM: String(decoding: try Files.read(tlsCertFile), as: UTF8.self),
                               privateKeyPEM: String(decoding: try Files.read(tlsPrivateKeyFile), as: UTF8.self))
        } catch {
            Console.err("error: cannot read \(error.subject): \(error.reason)")
            throw ExitCode.of(ExitStatus.noInput)
        }
    }

    func run() async throws {
        let server = try EmulatorServer(options: EmulatorOptions(listen: listen, stateFile: state, crdDirectory: crds, nodeName: nodeName,
                                                                 tls: try tlsIdentity()))
        faults.forEach(server.inject)
        try server.start()
        if !faults.isEmpty {
            Console.err("emulator: injecting faults: 429 \(fault429), 5xx \(fault5xx), dropped \(faultDrop), reset \(faultReset), lost \(faultLost) (seed \(faultSeed))")
        }
        if let kubeconfigOut { try server.writeKubeconfig(to: kubeconfigOut) }
        Console.err("emulator listening on \(server.baseURL)")
        // Serve until interrupted; then write the state out, so nothing of the last writes is lost.
        await Interrupts.next()
        server.stop()
    }
}
