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
