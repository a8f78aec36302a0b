import Document
import Foundation

/// Walks the kubeconfig YAML: context -> cluster + user -> connection settings.
struct KubeConfigReader {
    let root: Node
    let path: String

    func read(context requested: String?) throws -> KubeConfig {
        guard root.mapping != nil else { throw error("a kubeconfig must be a mapping, found \(root.kindName)", at: root) }
        let contextName: String
        if let requested {
            contextName = requested
        } else if let current = root["current-context"]?.scalarText, !current.isEmpty {
            contextName = current
        } else {
            throw error("no current-context is set; pass --context", at: root)
        }
        let contextEntry = try named("contexts", contextName)
        guard let context = contextEntry["context"] else { throw error("context \"\(contextName)\" has no context field", at: contextEntry) }
        guard let clusterName = context["cluster"]?.scalarText else { throw error("context \"\(contextName)\" names no cluster", at: context) }
        let clusterEntry = try named("clusters", clusterName)
        guard let cluster = clusterEntry["cluster"] else { throw error("cluster \"\(clusterName)\" has no cluster field", at: clusterEntry) }
        guard let server = cluster["server"]?.scalarText, !server.isEmpty else {
            throw error("cluster \"\(clusterName)\" has no server", at: cluster)
        }

        var tls = TLSSettings()
        var warnings: [String] = []
        tls.certificateAuthority = try bytes(cluster, data: "certificate-authority-data", file: "certificate-authority")
        if cluster["insecure-skip-tls-verify"]?.resolved.boolValue == true {
            tls.insecureSkipVerify = true
            warnings.append("TLS verification of \(server) is disabled by insecure-skip-tls-verify in \(path) (context \"\(contextName)\"): anyone on the network path can impersonate the API server")
        }
        // Plain HTTP is only harmless on loopback (the emulator); elsewhere tokens cross the network in clear.
        if server.hasPrefix("http://"), !Self.isLoopback(server) {
            warnings.append("\(server) is plain HTTP (\(path)): requests and credentials are not encrypted")
        }

        if let userName = context["user"]?.scalarText, !userName.isEmpty {
            let userEntry = try named("users", userName)
            if let user = userEntry["user"] {
                for unsupported in ["exec", "auth-provider"] where user[unsupported] != nil {
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
                        .trimmingCharacters(in: .whitespacesAndNewlines)
                    tls.bearerToken = Sensitive(text)
                }
            }
        }
        // A token over plain HTTP crosses the network in clear: anyone on the path can replay it.
        if server.hasPrefix("http://"), !Self.isLoopback(server), tls.bearerToken != nil {
            throw error("refusing to send a bearer token over plain HTTP to \(server) (cluster \"\(clusterName)\"): "
                + "use https://, or reach the API server through a loopback address (an SSH tunnel)", at: cluster["server"] ?? cluster)
        }
        let namespace = context["namespace"]?.scalarText.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return KubeConfig(path: path, contextName: contextName, server: server, namespace: namespace, tls: tls, warnings: warnings)
    }

    static func isLoopback(_ server: String) -> Bool {
        let origin = CurlEasy.origin(of: server)
        return ["http://127.0.0.1", "http://localhost", "http://[::1]"].contains { origin == $0 || origin.hasPrefix($0 + ":") }
    }

    /// The entry called `name` in the list under `key` (contexts, clusters, users).
    private func named(_ key: String, _ name: String) throws -> Node {
        let entries = root[key]?.sequence ?? []
        if let entry = entries.first(where: { $0["name"]?.scalarText == name }) { return entry }
        let known = entries.compactMap { $0["name"]?.scalarText }
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
        let resolved = file.hasPrefix("/") ? file : KubeConfig.join((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, file)
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
