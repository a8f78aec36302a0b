import Document
import Foundation
import Platform
import Synchronization

/// A kubeconfig user's `exec` credential plugin (client.authentication.k8s.io/v1 ExecCredential),
/// as kubelogin is: run when a token is needed, its token cached until the expiry it states.
public final class ExecCredentialPlugin: Sendable {
    public let command: String
    public let arguments: [String]
    public let environment: [String: String]
    public let apiVersion: String
    private let cached = Mutex<(token: Sensitive, expires: Date?)?>(nil)
    private let runs = Mutex(0)

    public init(command: String, arguments: [String], environment: [String: String], apiVersion: String) {
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.apiVersion = apiVersion
    }

    /// How often the plugin ran (tests).
    public var runCount: Int { runs.withLock { $0 } }

    /// The token: the cached one while it has not expired, else the plugin's new one.
    func token() async throws -> Sensitive {
        if let cached = cached.withLock({ $0 }), cached.expires.map({ $0.timeIntervalSinceNow > 10 }) ?? true {
            return cached.token
        }
        let fresh = try await Blocking.run(name: "exec-credential") { [self] in try run() }
        cached.withLock { $0 = fresh }
        return fresh.token
    }

    private func run() throws -> (token: Sensitive, expires: Date?) {
        runs.withLock { $0 += 1 }
        var env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        env["KUBERNETES_EXEC_INFO"] = JSON.encode([
            "apiVersion": .string(apiVersion), "kind": "ExecCredential", "spec": ["interactive": false],
        ])
        let executable = try locate(command, path: env["PATH"] ?? "/usr/bin:/bin")
        let result: Processes.Result
        do { result = try Processes.run(executable, arguments: arguments, environment: env, input: []) } catch {
            throw KubeConfigError(file: nil, "cannot run the credential plugin \(command): \(error)")
        }
        // The plugin's own messages (a login URL, an error) are for the person at the terminal.
        if !result.error.isEmpty { FileHandle.standardError.write(Data(result.error)) }
        guard result.exit.code == 0 else {
            throw KubeConfigError(file: nil, "the credential plugin \(command) exited with status \(result.exit.status)")
        }
        let status: Value
        do { status = try JSON.decode(String(decoding: result.output, as: UTF8.self))["status"] ?? .null } catch {
            throw KubeConfigError(file: nil, "the credential plugin \(command) printed no ExecCredential: \(error)")
        }
        guard let token = status["token"]?.stringValue, !token.isEmpty else {
            throw KubeConfigError(file: nil, "the credential plugin \(command) returned no token (client certificates from plugins are not supported)")
        }
        let expires = status["expirationTimestamp"]?.stringValue.flatMap(Timestamp.parse).map { Date(timeIntervalSince1970: $0) }
        return (Sensitive(token), expires)
    }

    private func locate(_ program: String, path: String) throws -> String {
        if program.contains("/") { return program }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw KubeConfigError(file: nil, "the credential plugin \(program) is not on PATH")
    }
}
