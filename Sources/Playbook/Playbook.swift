import Document

/// A playbook as written: steps with the positions of everything in them.
public struct Playbook: Sendable {
    public static let apiVersion = "bootstrap.faforever.com/v1"

    public var file: String
    public var name: String
    public var description: String?
    /// Variables, resolved; `${{ vars.x }}` refers to them.
    public var vars: [String: Value]
    public var steps: [StepSpec]
}

/// One step as written in the playbook.
public struct StepSpec: Sendable {
    public var id: String
    public var type: String
    public var needs: [Reference]
    /// The `with:` mapping before interpolation; nil when absent.
    public var with: Node?
    public var description: String?
    /// Where the step's mapping starts.
    public var mark: Mark
    public var idMark: Mark
    public var typeMark: Mark

    /// A step id named in `needs`, with where it was written.
    public struct Reference: Sendable, Hashable {
        public var id: String
        public var mark: Mark
    }
}

/// Step ids and playbook names: a DNS label, as Kubernetes names are.
public enum StepID {
    public static let maxLength = 63

    public static func isValid(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        func alnum(_ c: UInt8) -> Bool { (0x61...0x7A).contains(c) || (0x30...0x39).contains(c) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }
}
