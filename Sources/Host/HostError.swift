import Platform

/// Why a host operation did not happen.
public enum HostError: Error, Sendable, CustomStringConvertible {
    case commandNotFound(String)
    case commandFailed(String, CommandResult)
    /// Plan mode met something with a side effect.
    case refusedInPlan(String)
    case notSimulated(String)
    /// A change only its step's driver performs (a data copy) was handed to the host.
    case performedByDriver(String)
    case io(String)
    /// A path that leads out of the host root (a symlink pointing above it).
    case escapesRoot(String)
    /// A file's SHA-256 is not the pinned one.
    case digestMismatch(path: String, actual: String, expected: String)

    public var description: String {
        switch self {
        case .commandNotFound(let name): return "command not found on PATH: \(name)"
        case .commandFailed(let command, let result):
            let detail = result.stderr.trimming(.whitespaceAndNewlines)
            return "`\(command)` exited with status \(result.status)" + (detail.isEmpty ? "" : ": \(detail)")
        case .refusedInPlan(let action): return "plan must not change the host, but would run: \(action)"
        case .notSimulated(let command): return "rehearsal cannot simulate: \(command)"
        case .performedByDriver(let what): return "\(what) is performed by its step's driver, not as a single host change"
        case .io(let message): return message
        case .escapesRoot(let path): return "\(path) leads outside the host root through a symbolic link; refusing to follow it"
        case .digestMismatch(let path, let actual, let expected):
            return "\(path) has SHA-256 \(actual), but the playbook pins \(expected)"
        }
    }
}
