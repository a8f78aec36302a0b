import Document
import FoundationEssentials
import Platform

/// The connection settings of one kubeconfig context, resolved the way kubectl does.
public struct KubeConfig: Sendable {
    /// The file this came from, for messages.
    public var path: String
    public var contextName: String
    /// `https://host:port` of the API server.
    public var server: String
    /// The context's namespace, `default` when it names none.
    public var namespace: String
    public var tls: TLSSettings
    /// The user's `exec` credential plugin, when it logs in through one.
    public var exec: ExecCredentialPlugin?
    /// Printed by the CLI on every run (e.g. TLS verification disabled).
    public var warnings: [String]

    public init(path: String, contextName: String, server: String, namespace: String = "default",
                tls: TLSSettings = TLSSettings(), warnings: [String] = []) {
        self.path = path
        self.contextName = contextName
        self.server = server
        self.namespace = namespace
        self.tls = tls
        self.warnings = warnings
    }

    /// Finds and reads the kubeconfig: `explicitPath`, else every existing file in `$KUBECONFIG`
    /// merged as kubectl merges them (the first file with an entry of a name, or with a
    /// current-context, wins), else `$HOME/.kube/config`, else k3s's `/etc/rancher/k3s/k3s.yaml` under `hostRoot`.
    public static func load(explicitPath: String?, environment: [String: String], context: String?,
                            hostRoot: String = "/") throws -> KubeConfig {
        let path = try locate(explicitPath: explicitPath, environment: environment, hostRoot: hostRoot)
        // Every existing file of $KUBECONFIG merges, as kubectl merges them, when none is given explicitly.
        var paths = [path]
        if explicitPath == nil, let list = environment[.kubeconfig], !list.isEmpty {
            let listed = list.split(separator: ":").map(String.init).filter { !$0.isEmpty && Files.exists($0) }
            if listed.first == path {
                paths = listed.reduce(into: []) { unique, file in if !unique.contains(file) { unique.append(file) } }
            }
        }
        var documents: [(root: Node, path: String)] = []
        for path in paths {
            let text: String
            do {
                text = try TextFile.read(path)
            } catch {
                throw KubeConfigError(file: path, "cannot read the kubeconfig: \(error.reason)", mark: error.line.map { _ in error.mark(in: path) })
            }
            documents.append((try document(text, path: path), path))
        }
        return try KubeConfigReader(documents: documents).read(context: context)
    }

    static func document(_ text: String, path: String) throws -> Node {
        do {
            return try YAML.parseOne(text, file: path)
        } catch {
            throw KubeConfigError(file: path, error.items.map(\.description).joined(separator: "\n"), mark: error.items.first?.mark)
        }
    }

    /// Which file `load` reads.
    public static func locate(explicitPath: String?, environment: [String: String], hostRoot: String = "/") throws -> String {
        if let explicitPath {
            guard Files.exists(explicitPath) else { throw KubeConfigError(file: explicitPath, "no such kubeconfig file") }
            return explicitPath
        }
        var tried: [String] = []
        if let list = environment[.kubeconfig], !list.isEmpty {
            for candidate in list.split(separator: ":").map(String.init) where !candidate.isEmpty {
                if Files.exists(candidate) { return candidate }
                tried.append(candidate)
            }
        }
        if let home = environment[.home], !home.isEmpty {
            let candidate = join(home, ".kube/config")
            if Files.exists(candidate) { return candidate }
            tried.append(candidate)
        }
        let k3s = join(hostRoot, "etc/rancher/k3s/k3s.yaml")
        if Files.exists(k3s) { return k3s }
        tried.append(k3s)
        throw KubeConfigError(file: nil, "no kubeconfig found (looked at \(tried.joined(separator: ", "))); pass --kubeconfig")
    }

    /// Reads kubeconfig text; relative file references are resolved against the file's directory.
    public static func parse(_ text: String, path: String, context: String?) throws -> KubeConfig {
        let root: Node
        do {
            root = try YAML.parseOne(text, file: path)
        } catch {
            throw KubeConfigError(file: path, error.items.map(\.description).joined(separator: "\n"), mark: error.items.first?.mark)
        }
        return try KubeConfigReader(root: root, path: path).read(context: context)
    }

    static func join(_ base: String, _ relative: String) -> String {
        base.hasSuffix("/") ? base + relative : base + "/" + relative
    }
}

/// A kubeconfig that cannot be used; names the file and, for YAML problems, the line and column.
public struct KubeConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String?
    public var mark: Mark?
    public var message: String

    public init(file: String?, _ message: String, mark: Mark? = nil) {
        self.file = file
        self.mark = mark
        self.message = message
    }

    public var description: String {
        // YAML diagnostics already start with file:line:col.
        if let mark, message.hasPrefix(mark.description) { return message }
        if let mark { return "\(mark): \(message)" }
        if let file { return "\(file): \(message)" }
        return message
    }
}
