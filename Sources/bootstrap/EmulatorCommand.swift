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

    func validate() throws {
        let host = listen.split(separator: ":").dropLast().joined(separator: ":")
        guard ["127.0.0.1", "localhost", "[::1]", "::1"].contains(host) || host.hasPrefix("127.") else {
            throw ValidationError("--listen must be a loopback address (127.0.0.1:PORT); the emulator has no authentication")
        }
    }

    func run() async throws {
        let server = try EmulatorServer(options: EmulatorOptions(listen: listen, stateFile: state, crdDirectory: crds, nodeName: nodeName))
        try server.start()
        if let kubeconfigOut { try server.writeKubeconfig(to: kubeconfigOut) }
        Console.err("emulator listening on \(server.baseURL)")
        // Serve until interrupted; then write the state out, so nothing of the last writes is lost.
        await Interrupts.next()
        server.stop()
    }
}
