import Document
import FoundationEssentials
import Platform

/// The secrets file: a YAML mapping whose leaves are read as ``Sensitive`` values.
public struct Secrets: Sendable {
    public var file: String?
    public var root: [String: SecretNode]

    public indirect enum SecretNode: Sendable {
        case leaf(Sensitive)
        case branch([String: SecretNode])
    }

    public static let none = Secrets(file: nil, root: [:])
    /// For a command that uses no secret value (`kubeconfig`): references resolve to placeholders
    /// without a secrets file, and are not errors.
    public static let notNeeded = Secrets(file: nil, root: [:], needed: false)

    /// Whether a reference without a secrets file is an error.
    public var needed = true

    public init(file: String?, root: [String: SecretNode], needed: Bool = true) {
        self.file = file
        self.root = root
        self.needed = needed
    }

    /// How strictly file permissions are enforced: refuse when a real node or cluster is touched.
    public enum PermissionPolicy: Sendable { case refuse, warn }

    /// Loads a secrets file. Its values never appear in any diagnostic.
    public static func load(path: String, policy: PermissionPolicy) throws(Diagnostics) -> (Secrets, [Diagnostic]) {
        let start = Mark(file: path, line: 1, column: 1)
        var warnings: [Diagnostic] = []
        let info: FileInfo
        do { info = try FileInfo.existing(path, followingLinks: true) } catch {
            throw Diagnostics([.error("cannot read secrets file: \(error.reason)", at: start)])
        }
        let mode = info.mode & 0o777
        if mode & 0o077 != 0 {
            let text = "secrets file is readable by group or others (mode \(String(mode, radix: 8).leftPadded(4))); run: chmod 600 \(path)"
            if policy == .refuse { throw Diagnostics([.error(text, at: start)]) }
            warnings.append(.warning(text, at: start))
        }
        let text: String
        do { text = try TextFile.read(path) } catch {
            throw Diagnostics([.error("cannot read secrets file: \(error.reason)", at: error.mark(in: path))])
        }
        let node: Node
        do { node = try YAML.parseOne(text, file: path) } catch {
            // A YAML error message can quote the offending text; keep only the position.
            throw Diagnostics(error.items.map { .error("secrets file is not valid YAML", at: $0.mark) })
        }
        guard node.mapping != nil else {
            throw Diagnostics([.error("secrets file must be a mapping of names to values", at: node.mark)])
        }
        var problems: [Diagnostic] = []
        let converted = convert(node, path: [], problems: &problems)
        if !problems.isEmpty { throw Diagnostics(problems) }
        guard case .branch(let root) = converted else { return (Secrets(file: path, root: [:]), warnings) }
        return (Secrets(file: path, root: root), warnings)
    }

    /// The tree of values; an empty or null value is an error (it would silently become "" or "null").
    static func convert(_ node: Node, path: [String], problems: inout [Diagnostic]) -> SecretNode {
        switch node.content {
        case .mapping(let pairs):
            var out: [String: SecretNode] = [:]
            for pair in pairs {
                let key = pair.key.scalarText ?? ""
                out[key] = convert(pair.value, path: path + [key], problems: &problems)
            }
            return .branch(out)
        case .sequence(let items):
            var out: [String: SecretNode] = [:]
            for (i, item) in items.enumerated() { out[String(i)] = convert(item, path: path + [String(i)], problems: &problems) }
            return .branch(out)
        case .scalar(let text, let style, let tag):
            let name = path.joined(separator: ".")
            if text.isEmpty {
                problems.append(.error("secret \"\(name)\" is empty", at: node.mark))
            } else if Node.resolveScalar(text, style: style, tag: tag).isNull {
                problems.append(.error("secret \"\(name)\" is null; quote it if the text \"\(text)\" is meant", at: node.mark))
            }
            return .leaf(Sensitive(text))
        }
    }

    public enum Lookup: Sendable {
        case found(Sensitive)
        case notALeaf
        case missing(suggestion: String?)
    }

    public func lookup(_ path: [String]) -> Lookup {
        var level = root
        for (index, key) in path.enumerated() {
            guard let node = level[key] else { return .missing(suggestion: suggestion(for: key, among: level.keys.sorted())) }
            switch node {
            case .leaf(let value): return index == path.count - 1 ? .found(value) : .missing(suggestion: nil)
            case .branch(let next):
                if index == path.count - 1 { return .notALeaf }
                level = next
            }
        }
        return .notALeaf
    }

    /// Every secret value, for output masking as a second line of defence.
    public var allValues: [String] {
        var out: [String] = []
        func walk(_ node: SecretNode) {
            switch node {
            case .leaf(let s): if s.revealed.count >= 4 { out.append(s.revealed) }
            case .branch(let b): b.values.forEach(walk)
            }
        }
        root.values.forEach(walk)
        return out
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
