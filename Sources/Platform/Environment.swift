#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif

/// Every environment variable bootstrap reads (or sets for a child), named once; code reads them
/// as `environment[.kubeconfig]`, never by a string of its own.
public enum EnvironmentVariable: String, Sendable, CaseIterable {
    /// kubectl's list of kubeconfig files (README, "Which cluster").
    case kubeconfig = "KUBECONFIG"
    /// Where `~/.kube/config` is.
    case home = "HOME"
    /// Where host commands are looked up.
    case path = "PATH"
    /// The secrets file when `--secrets` is not given.
    case secrets = "BOOTSTRAP_SECRETS"
    /// `dumb` turns the live progress display off.
    case term = "TERM"
    /// Any value turns colour off (no-color.org).
    case noColor = "NO_COLOR"
    /// Set for a kubeconfig exec plugin: the cluster it is asked about and whether it may ask the user.
    case kubernetesExecInfo = "KUBERNETES_EXEC_INFO"
}

/// This process's environment.
public enum Environment {
    /// Every variable of this process's environment (environ(7)), read now.
    public static var variables: [String: String] {
        var variables: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                // The first of a duplicated name wins, as getenv(3) finds it.
                if variables[name] == nil { variables[name] = String(text[text.index(after: equals)...]) }
            }
            entry += 1
        }
        return variables
    }

    /// One variable of this process's environment, or nil when it is not set.
    public static func value(_ variable: EnvironmentVariable) -> String? {
        getenv(variable.rawValue).map { String(cString: $0) }
    }
}

extension Dictionary where Key == String, Value == String {
    /// The value of a variable bootstrap knows, in an environment given as a mapping (a test's, a child's).
    public subscript(_ variable: EnvironmentVariable) -> String? {
        get { self[variable.rawValue] }
        set { self[variable.rawValue] = newValue }
    }
}
