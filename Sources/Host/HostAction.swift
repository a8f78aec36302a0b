/// File operations described as shell lines: what plans list and the rehearsal log records.
public enum HostAction {
    public static func write(_ path: String, mode: UInt16, owner: FileOwner? = nil) -> String {
        "write \(shellQuote(path)) (mode \(octal(mode))\(owner.map { ", owner \($0)" } ?? ""))"
    }
    public static func makeDirectory(_ path: String) -> String { "mkdir -p \(shellQuote(path))" }
    public static func chmod(_ path: String, mode: UInt16) -> String { "chmod \(octal(mode)) \(shellQuote(path))" }
    public static func chown(_ path: String, owner: FileOwner) -> String { "chown -h \(owner) \(shellQuote(path))" }
    public static func move(_ source: String, to destination: String) -> String {
        "mv \(shellQuote(source)) \(shellQuote(destination))"
    }
    public static func remove(_ path: String) -> String { "rm -rf \(shellQuote(path))" }
    public static func sha256(_ path: String, expected: String) -> String {
        "sha256sum \(shellQuote(path)) (expect \(expected))"
    }

    /// The lines a `setAttributes` call stands for.
    public static func attributes(_ path: String, mode: UInt16?, owner: FileOwner?) -> [String] {
        (owner.map { [chown(path, owner: $0)] } ?? []) + (mode.map { [chmod(path, mode: $0)] } ?? [])
    }
}
