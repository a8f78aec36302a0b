import Document
import Engine

// Checks several drivers share: host paths and Kubernetes label syntax.
enum ParameterRules {
    /// Why `path` is not a usable host path, or nil.
    static func hostPathProblem(_ path: String) -> String? {
        if !path.hasPrefix("/") { return "\"\(path)\" must be an absolute path" }
        if path.split(separator: "/").contains("..") { return "\"\(path)\" must not contain \"..\": it would escape the host root" }
        return nil
    }

    static func checkHostPath(_ path: String, _ context: ValidationContext, at location: String...) -> [Diagnostic] {
        guard let problem = hostPathProblem(path) else { return [] }
        return [.error("step \"\(context.stepID)\": \(location.joined(separator: ".")): \(problem)", at: context.mark(location))]
    }

    static func isOwnerSpec(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let word = #/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/#
        return (1...2).contains(parts.count) && parts.allSatisfy { (try? word.wholeMatch(in: String($0))) != nil }
    }

    /// Why a label key is not valid, or nil.
    static func labelKeyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let name = parts.last else { return "label key \"\(key)\" has more than one \"/\"" }
        if parts.count == 2 {
            let prefix = String(parts[0])
            if prefix.isEmpty || prefix.count > 253 || (try? #/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/#.wholeMatch(in: prefix)) == nil {
                return "label key \"\(key)\" has an invalid prefix (a DNS subdomain is expected)"
            }
        }
        if name.isEmpty || name.count > 63 || !isLabelWord(String(name)) {
            return "label key \"\(key)\" must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric"
        }
        return nil
    }

    /// Why a label value is not valid, or nil.
    static func labelValueProblem(_ value: String) -> String? {
        if value.isEmpty { return nil }
        if value.count > 63 || !isLabelWord(value) {
            return "label value \"\(value)\" must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric"
        }
        return nil
    }

    static func isDNSSubdomain(_ name: String) -> Bool {
        name.count <= 253 && (try? #/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/#.wholeMatch(in: name)) != nil
    }

    private static func isLabelWord(_ word: String) -> Bool {
        (try? #/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/#.wholeMatch(in: word)) != nil
    }
}
