import Platform
import Document
import FoundationEssentials

/// Walks the kubeconfig YAML: context -> cluster + user -> connection settings.
///
/// Several files (`$KUBECONFIG` lists) merge as kubectl merges them: the first file that sets
/// `current-context` sets it, and the first file with an entry of a name provides that entry;
/// file references resolve against the directory of the file that holds them.
struct KubeConfigReader {
    /// The files in order; the reader works in one of them at a time (``root``, ``path``).
    let documents: [(root: Node, path: String)]
    var root: Node
    var path: String

    init(root: Node, path: String) {
        self.init(documents: [(root, path)])
    }

    init(documents: [(root: Node, path: String)]) {
        self.documents = documents
        root = documents[0].root
        path = documents[0].path
    }

    /// This reader, working in the file that holds `entry`.
    private func within(_ document: (root: Node, path: String)) -> KubeConfigReader {
        var reader = self
        reader.root = document.root
        reader.path = document.path
        return reader
    }

    func read(context requested: String?) throws -> KubeConfig {
        for document in documents where document.root.mapping == nil {
            throw within(document).error("a kubeconfig must be a mapping, found \(document.root.kindName)", at: document.root)
        }
        let contextName: String
        if let requested {
            contextName = requested
        } else if let current = documents.lazy.compactMap({ $0.root["current-context"]?.scalarText }).first(where: { !$0.isEmpty }) {
            contextName = current
        } else {
            throw error("no current-context is set; pass --context", at: root)
        }
        let (contextEntry, contextReader) = try named("contexts", contextName)
        return try contextReader.read(contextName: contextName, contextEntry: contextEntry)
    }

    private func read(contextName: String, contextEntry: Node) throws -> KubeConfig {
        guard let context = contextEntry["context"] else { throw error("context \"\(contextName)\" has no context field", at: contextEntry) }
        guard let clusterName = context["cluster"]?.scalarText else { throw error("context \"\(contextName)\" names no cluster", at: context) }
        let (clusterEntry, clusterReader) = try named("clusters", clusterName)
        return try clusterReader.read(contextName: contextName, context: context, clusterName: clusterName, clusterEntry: clusterEntry)
    }

    private func read(contextName: String, context: Node, clusterName: String, clusterEntry: Node) throws -> KubeConfig {
        guard let cluster = clusterEntry["cluster"] else { throw error("cluster \"\(clusterName)\" has no cluster field", at: clusterEntry) }
        guard let server = cluster["server"]?.scalarText, !server.isEmpty else {
            throw error("cluster \"\(clusterName)\" has no server", at: cluster)
        }

        let url: ServerURL
        do throws(ServerURL.Problem) {
            url = try ServerURL(parsing: server)
        } catch {
            throw self.error("the server of cluster \"\(clusterName)\" \(error.message)", at: cluster["server"] ?? cluster)
        }
        var tls = TLSSettings()
        var warnings: [String] = []
        tls.certificateAuthority = try bytes(cluster, data: "certificate-authority-data", file: "certificate-authority")
        if cluster["insecure-skip-tls-verify"]?.resolved.boolValue == true {
            tls.insecureSkipVerify = true
            warnings.append("TLS verification of \(server) is disabled by insecure-skip-tls-verify in \(path) (context \"\(contextName)\"): anyone on the network path can impersonate the API server")
        }
        // Plain HTTP is only harmless on loopback (the emulator); elsewhere tokens cross the network in clear.
        if url.isPlainOffHost {
            warnings.append("\(server) is plain HTTP (\(path)): requests and credentials are not encrypted")
        }

        var plugin: ExecCredentialPlugin?
        if let userName = context["user"]?.scalarText, !userName.isEmpty {
            let (userEntry, userReader) = try named("users", userName)
            if let user = userEntry["user"] {
                try userReader.readUser(userName, user, into: &tls)
                if let exec = user["exec"] { plugin = try userReader.readExec(userName, exec) }
            }
        }
        // A token over plain HTTP crosses the network in clear: anyone on the path can replay it.
        // A credential plugin's token would too, so a plugin counts as a token here.
        if url.isPlainOffHost, tls.bearerToken != nil || plugin != nil {
            throw error("refusing to send a bearer token over plain HTTP to \(CurlEasy.origin(of: server)) (cluster \"\(clusterName)\"): "
                + "use https://, or reach the API server through a loopback address (an SSH tunnel)", at: cluster["server"] ?? cluster)
        }
        var config = finish(contextName: contextName, context: context, server: server, tls: tls, warnings: warnings)
        config.exec = plugin
        return config
    }

    private func readExec(_ userName: String, _ exec: Node) throws -> ExecCredentialPlugin {
        guard let command = exec["command"]?.scalarText, !command.isEmpty else {
            throw error("user \"\(userName)\" has an exec plugin without a command", at: exec)
        }
        let apiVersion = exec["apiVersion"]?.scalarText ?? ""
        guard apiVersion == "client.authentication.k8s.io/v1" || apiVersion == "client.authentication.k8s.io/v1beta1" else {
            throw error("user \"\(userName)\": exec apiVersion \"\(apiVersion)\" is not client.authentication.k8s.io/v1", at: exec)
        }
        let arguments = (exec["args"]?.sequence ?? []).compactMap(\.scalarText)
        var environment: [String: String] = [:]
        for entry in exec["env"]?.sequence ?? [] {
            if let name = entry["name"]?.scalarText { environment[name] = entry["value"]?.scalarText ?? "" }
        }
        // kubectl resolves a relative command path against the kubeconfig's directory.
        let program = command.contains("/") && !command.hasPrefix("/")
            ? KubeConfig.join(PathText.parent(path), command) : command
        // Absent, IfAvailable: client-go's default for v1beta1; kubectl refuses a v1 plugin without
        // it, bootstrap takes the same default instead (README, "People's kubeconfig").
        var interactiveMode = ExecCredentialPlugin.InteractiveMode.ifAvailable
        if let mode = exec["interactiveMode"] {
            guard let known = mode.scalarText.flatMap(ExecCredentialPlugin.InteractiveMode.init(rawValue:)) else {
                throw error("user \"\(userName)\": exec interactiveMode \"\(mode.scalarText ?? "")\" is not Never, IfAvailable or Always", at: mode)
            }
            interactiveMode = known
        }
        return ExecCredentialPlugin(command: program, arguments: arguments, environment: environment, apiVersion: apiVersion,
                                    interactiveMode: interactiveMode)
    }

    private func readUser(_ userName: String, _ user: Node, into tls: inout TLSSettings) throws {
        for unsupported in ["auth-provider"] where user[unsupported] != nil {
            throw error("user \"\(userName)\" uses \(unsupported), which bootstrap does not support; use a client certificate or token", at: user[unsupported]!)
        }
        if user["username"] != nil || user["password"] != nil {
            throw error("user \"\(userName)\" uses basic auth, which Kubernetes no longer supports; use a client certificate or token", at: user)
        }
        tls.clientCertificate = try bytes(user, data: "client-certificate-data", file: "client-certificate")
        if let key = try bytes(user, data: "client-key-data", file: "client-key") {
            tls.clientKey = Sensitive(String(decoding: key, as: UTF8.self))
        }
        if (tls.clientCertificate == nil) != (tls.clientKey == nil) {
            throw error("user \"\(userName)\" needs both a client certificate and a client key", at: user)
        }
        if let token = user["token"]?.scalarText, !token.isEmpty {
            tls.bearerToken = Sensitive(token)
        } else if let tokenFile = user["tokenFile"]?.scalarText ?? user["token-file"]?.scalarText {
            let text = try String(decoding: readFile(tokenFile, field: "tokenFile", at: user), as: UTF8.self)
                .trimming(.whitespaceAndNewlines)
            tls.bearerToken = Sensitive(text)
        }
    }

    private func finish(contextName: String, context: Node, server: String, tls: TLSSettings, warnings: [String]) -> KubeConfig {
        let namespace = context["namespace"]?.scalarText.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return KubeConfig(path: path, contextName: contextName, server: server, namespace: namespace, tls: tls, warnings: warnings)
    }

    /// The entry called `name` in the list under `key` (contexts, clusters, users), from the first
    /// file that has one, and a reader working in that file.
    private func named(_ key: String, _ name: String) throws -> (Node, KubeConfigReader) {
        for document in documents {
            if let entry = (document.root[key]?.sequence ?? []).first(where: { $0["name"]?.scalarText == name }) {
                return (entry, within(document))
            }
        }
        let known = documents.flatMap { ($0.root[key]?.sequence ?? []).compactMap { $0["name"]?.scalarText } }
        let hint = suggestion(for: name, among: known).map { " (did you mean \"\($0)\"?)" } ?? ""
        throw error("no \(key.dropLast()) named \"\(name)\" in \(key)\(hint)", at: root[key] ?? root)
    }

    /// PEM bytes from the base64 `-data` field, or from the file the other field names.
    private func bytes(_ node: Node, data dataKey: String, file fileKey: String) throws -> [UInt8]? {
        if let field = node[dataKey], let text = field.scalarText, !text.isEmpty {
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                throw error("\(dataKey) is not valid base64", at: field)
            }
            return Array(data)
        }
        if let file = node[fileKey]?.scalarText, !file.isEmpty {
            return try readFile(file, field: fileKey, at: node[fileKey]!)
        }
        return nil
    }

    private func readFile(_ file: String, field: String, at node: Node) throws -> [UInt8] {
        // kubectl resolves relative references against the kubeconfig's own directory.
        let resolved = file.hasPrefix("/") ? file : KubeConfig.join(PathText.parent(path).isEmpty ? "." : PathText.parent(path), file)
        // Bounded like every file bootstrap reads: a regular file of at most 8 MiB (PEM is text).
        do {
            return Array(try TextFile.read(resolved).utf8)
        } catch let failure {
            throw error("cannot read \(field) file \(resolved): \(failure.reason)", at: node)
        }
    }

    private func error(_ message: String, at node: Node) -> KubeConfigError {
        KubeConfigError(file: path, message, mark: node.mark)
    }
}
