import Document
import Engine
import Kube

// Checks several drivers share: host paths and Kubernetes label syntax.
enum ParameterRules {
    /// Why `path` is not a usable host path, or nil.
    static func hostPathProblem(_ path: String) -> String? {
        if path.utf8.contains(0) { return "\"\(printable(path))\" must not contain a NUL byte" }
        if !path.hasPrefix("/") { return "\"\(path)\" must be an absolute path" }
        if path.split(separator: "/").contains("..") { return "\"\(path)\" must not contain \"..\": it would escape the host root" }
        return nil
    }

    /// An absolute path without empty or `.` components and without a trailing slash (`..` is
    /// refused by ``hostPathProblem(_:)`` before paths are compared).
    static func normalizedPath(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    static func checkHostPath(_ path: String, _ context: ValidationContext, at location: String...) -> [Diagnostic] {
        guard let problem = hostPathProblem(path) else { return [] }
        return [.error("step \"\(context.stepID)\": \(location.joined(separator: ".")): \(problem)", at: context.mark(location))]
    }

    static func isOwnerSpec(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return (1...2).contains(parts.count)
            && parts.allSatisfy { Scan.word($0, first: Scan.with(Scan.alnum, "_"), rest: Scan.with(Scan.alnum, "_.-")) }
    }

    /// Why a label key is not valid, or nil.
    private static func labelKeyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let name = parts.last else { return "label key \"\(key)\" has more than one \"/\"" }
        if parts.count == 2 {
            let prefix = String(parts[0])
            if prefix.isEmpty || prefix.count > 253 || !Scan.word(prefix, first: Scan.lowerAlnum, rest: Scan.with(Scan.lowerAlnum, "-."), last: Scan.lowerAlnum) {
                return "label key \"\(key)\" has an invalid prefix (a DNS subdomain is expected)"
            }
        }
        if name.isEmpty || name.count > 63 || !isLabelWord(String(name)) {
            return "label key \"\(printable(key))\" must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric"
        }
        return nil
    }

    /// Why a label value is not valid, or nil.
    private static func labelValueProblem(_ value: String) -> String? {
        if value.isEmpty { return nil }
        if value.count > 63 || !isLabelWord(value) {
            return "label value \"\(printable(value))\" must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric"
        }
        return nil
    }

    static func isDNSSubdomain(_ name: String) -> Bool { KubeNames.isDNSSubdomain(name) }

    /// Text safe to quote in a message: control characters escaped, long values cut short.
    static func printable(_ text: String) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == 60 { return out + "…\" (\(text.unicodeScalars.count) characters)" }
            out += scalar.value < 0x20 || scalar.value == 0x7F ? scalar.escaped(asASCII: true) : String(scalar)
            count += 1
        }
        return out
    }

    /// Why a label (key and value) is not valid, or nil: the key's problem first.
    static func labelProblem(key: String, value: String) -> String? {
        labelKeyProblem(key) ?? labelValueProblem(value)
    }

    /// Label problems of a labels mapping, each at its key, in key order.
    static func checkLabels(_ labels: [String: String]?, _ context: ValidationContext, at location: String...) -> [Diagnostic] {
        (labels ?? [:]).sorted(by: { $0.key < $1.key }).compactMap { key, value in
            labelProblem(key: key, value: value).map { context.error($0, at: location + [key]) }
        }
    }

    private static func isLabelWord(_ word: String) -> Bool {
        Scan.word(word, first: Scan.alnum, rest: Scan.with(Scan.alnum, "-_."), last: Scan.alnum)
    }
}
