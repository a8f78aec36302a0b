import Document
import FoundationEssentials
import Platform
import Synchronization

/// What an exec credential plugin hands over: a bearer token, or a client certificate and key.
public enum ExecCredential: Sendable {
    case token(Sensitive)
    case clientCertificate(certificate: [UInt8], key: Sensitive)
}

/// A kubeconfig user's `exec` credential plugin (client.authentication.k8s.io/v1 ExecCredential),
/// as kubelogin is: run when a credential is needed, its credential cached until the expiry it states.
public final class ExecCredentialPlugin: Sendable {
    /// The kubeconfig's `exec.interactiveMode`: whether the plugin may ask the person at the terminal.
    public enum InteractiveMode: String, Sendable {
        case never = "Never", ifAvailable = "IfAvailable", always = "Always"
    }

    public let command: String
    public let arguments: [String]
    public let environment: [String: String]
    public let apiVersion: String
    public let interactiveMode: InteractiveMode
    private let cached = Mutex<(credential: ExecCredential, expires: Date?)?>(nil)
    private let runs = Mutex(0)

    public init(command: String, arguments: [String], environment: [String: String], apiVersion: String,
                interactiveMode: InteractiveMode = .ifAvailable) {
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.apiVersion = apiVersion
        self.interactiveMode = interactiveMode
    }

    /// How often the plugin ran (tests).
    public var runCount: Int { runs.withLock { $0 } }

    /// The credential: the cached one while it has not expired, else the plugin's new one.
    func credential() async throws -> ExecCredential {
        if let cached = cached.withLock({ $0 }), cached.expires.map({ $0.timeIntervalSinceNow > 10 }) ?? true {
            return cached.credential
        }
        let fresh = try await Blocking.run(name: "exec-credential") { [self] in try run() }
        cached.withLock { $0 = fresh }
        return fresh.credential
    }

    /// Whether this run hands the plugin the terminal, as client-go decides (plugin/pkg/client/auth/
    /// exec/exec.go, isInteractive): IfAvailable when standard input is a terminal, Always or an error.
    func interactive(stdinIsTerminal: Bool) throws -> Bool {
        switch interactiveMode {
        case .never: return false
        case .ifAvailable: return stdinIsTerminal
        case .always:
            guard stdinIsTerminal else {
                throw KubeConfigError(file: nil, "the credential plugin \(command) must ask at a terminal (interactiveMode: Always), "
                                      + "but standard input is not a terminal; run bootstrap in one, or log in first")
            }
            return true
        }
    }

    private func run() throws -> (credential: ExecCredential, expires: Date?) {
        runs.withLock { $0 += 1 }
        let interactive = try interactive(stdinIsTerminal: Terminal.isTerminal(0))
        var env = Environment.variables.merging(environment) { $1 }
        env[.kubernetesExecInfo] = JSON.encode([
            "apiVersion": .string(apiVersion), "kind": "ExecCredential", "spec": ["interactive": .bool(interactive)],
        ])
        let executable = try locate(command, path: env[.path] ?? "/usr/bin:/bin")
        let result: Processes.Result
        // Interactive, the plugin reads the terminal and writes its prompts to it directly.
        // The live progress display keeps off the terminal meanwhile (TerminalLoan).
        do {
            let run = { [arguments] in try Processes.run(executable, arguments: arguments, environment: env, input: [], terminal: interactive) }
            result = try interactive ? TerminalLoan.lend(run) : run()
        } catch {
            throw KubeConfigError(file: nil, "cannot run the credential plugin \(command): \(error)")
        }
        // The plugin's own messages (a login URL, an error) are for the person at the terminal.
        if !result.error.isEmpty { StandardStream.error.write(String(decoding: result.error, as: UTF8.self)) }
        guard result.exit.code == 0 else {
            throw KubeConfigError(file: nil, "the credential plugin \(command) exited with status \(result.exit.status)")
        }
        let status: Value
        do { status = try JSON.decode(String(decoding: result.output, as: UTF8.self))["status"] ?? .null } catch {
            throw KubeConfigError(file: nil, "the credential plugin \(command) printed no ExecCredential: \(error)")
        }
        let expires = status["expirationTimestamp"]?.stringValue.flatMap(Timestamp.parse).map { Date(timeIntervalSince1970: $0) }
        if let token = status["token"]?.stringValue, !token.isEmpty { return (.token(Sensitive(token)), expires) }
        // Or a client certificate and its key, PEM (kubernetes client-go's ExecCredentialStatus).
        if let certificate = status["clientCertificateData"]?.stringValue, let key = status["clientKeyData"]?.stringValue,
           !certificate.isEmpty, !key.isEmpty {
            return (.clientCertificate(certificate: Array(certificate.utf8), key: Sensitive(key)), expires)
        }
        throw KubeConfigError(file: nil, "the credential plugin \(command) returned neither a token nor a client certificate and key")
    }

    private func locate(_ program: String, path: String) throws -> String {
        guard let found = Processes.locate(program, path: path) else {
            throw KubeConfigError(file: nil, program.contains("/") ? "the credential plugin \(program) is not an executable file"
                                                                   : "the credential plugin \(program) is not on PATH")
        }
        return found
    }
}
