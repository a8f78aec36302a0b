import Playbook
import ArgumentParser
import Document
import Engine
import FoundationEssentials
import Kube
import Platform

/// `bootstrap kubeconfig`: a kubeconfig for a person, logging in through OIDC with kubelogin.
struct KubeconfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubeconfig",
        abstract: "Write a kubeconfig for a person: the API server at the playbook's public name, the node's cluster CA, an OIDC login (kubelogin).",
        discussion: """
            Run on the node (the cluster CA is read from the kubeconfig k3s writes there) after apply. \
            The person needs kubectl and kubelogin (`kubectl oidc-login`); what they may do is what \
            rbac.oidc grants their user or groups.
            """)

    @OptionGroup var input: PlaybookInput

    @Option(help: "The person's name in the kubeconfig (user and context).")
    var user: String

    @Option(help: "Write here (mode 0600) instead of stdout.")
    var out: String?

    @Option(help: "Where host paths live: the cluster CA is read from k3s' kubeconfig under it.")
    var hostRoot: String = "/"

    @Option(help: ArgumentHelp("Read the cluster CA from the rehearsal in DIR (its simulated k3s' kubeconfig), as on the node.", valueName: "DIR"))
    var rehearsal: String?

    func validate() throws {
        guard !user.isEmpty, user.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
            throw ValidationError("--user must be a name of letters, digits, '-', '_', '.' or '@'")
        }
    }

    func run() throws {
        // A kubeconfig for a person holds no secret: the playbook's secrets are not needed.
        let playbook = try input.load(permissions: .warn, needsSecrets: false)
        guard let access = playbook.orderedSteps.lazy.compactMap(\.driver.cluster?.access).first else {
            Console.err("error: the playbook has no step that provides the cluster, so there is nothing to log in to")
            throw ExitCode.of(ExitStatus.invalidInput)
        }
        guard let oidc = access.oidc else {
            Console.err("error: the playbook sets no OIDC login (the `oidc` settings of the step that installs the cluster): "
                + "people log in through OIDC, so there is no kubeconfig to give them")
            throw ExitCode.of(ExitStatus.invalidInput)
        }
        guard let name = access.publicName else {
            Console.err("error: the playbook names no public address for the API server (`tlsSan` of the step that installs the cluster)")
            throw ExitCode.of(ExitStatus.invalidInput)
        }
        let root = rehearsal.map { $0 + "/host" } ?? hostRoot
        let adminPath = (root == "/" ? "" : (root.hasSuffix("/") ? String(root.dropLast()) : root)) + access.adminKubeconfig
        let admin: KubeConfig
        do {
            admin = try KubeConfig.parse(String(decoding: try Files.read(adminPath), as: UTF8.self), path: adminPath, context: nil)
        } catch let error as SystemError {
            let hint = rehearsal == nil ? "run this on the node after apply, as root, or give --host-root" : "apply the playbook to the rehearsal first"
            Console.err("error: cannot read the cluster CA from \(adminPath): \(error.reason) (\(hint))")
            throw ExitCode.of(ExitStatus.failure)
        } catch {
            if rehearsal != nil {
                // Before its simulated k3s served TLS, a rehearsal wrote a placeholder there.
                Console.err("error: \(adminPath) is not a kubeconfig with the cluster CA: this rehearsal was made by an older bootstrap; "
                    + "rehearse again in a new directory")
            } else {
                Console.err("error: cannot read the cluster CA from \(adminPath): \(SystemError.reason(of: error))")
            }
            throw ExitCode.of(ExitStatus.failure)
        }
        guard let ca = admin.tls.certificateAuthority else {
            Console.err("error: \(adminPath) holds no cluster CA (certificate-authority-data)")
            throw ExitCode.of(ExitStatus.failure)
        }
        let port = URLComponents(string: admin.server)?.port ?? 6443
        let text = Self.kubeconfig(user: user, server: "https://\(name):\(port)", clusterName: name, ca: ca, oidc: oidc)
        if let out {
            do {
                try Files.writeAtomically(out, Array(text.utf8), mode: 0o600, durable: false)
            } catch {
                Console.err("error: cannot write \(out): \(error.reason)")
                throw ExitCode.of(ExitStatus.failure)
            }
            Console.err("Wrote \(out): \(user) logs in to https://\(name):\(port) with `kubectl oidc-login` (kubelogin).")
        } else {
            Console.out(text)
        }
    }

    static func kubeconfig(user: String, server: String, clusterName: String, ca: [UInt8], oidc: ClusterAccess.OIDC) -> String {
        let context = "\(user)@\(clusterName)"
        let value: Value = [
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [["name": .string(clusterName), "cluster": [
                "server": .string(server),
                "certificate-authority-data": .string(Data(ca).base64EncodedString()),
            ]]],
            "users": [["name": .string(user), "user": ["exec": [
                "apiVersion": "client.authentication.k8s.io/v1",
                "command": "kubectl",
                "args": ["oidc-login", "get-token", .string("--oidc-issuer-url=\(oidc.issuerURL)"), .string("--oidc-client-id=\(oidc.clientID)")],
                "interactiveMode": "IfAvailable",
                "provideClusterInfo": false,
            ]]]],
            "contexts": [["name": .string(context), "context": ["cluster": .string(clusterName), "user": .string(user)]]],
            "current-context": .string(context),
        ]
        return YAML.emit(value)
    }
}
