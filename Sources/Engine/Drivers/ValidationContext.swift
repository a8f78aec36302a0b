import Document
import Playbook
import Synchronization

/// What a driver's validation sees: where each parameter was written, and the rest of the playbook.
public struct ValidationContext: Sendable {
    /// Another step of the same playbook, for checks that span steps (rbac.oidc needs k3s' OIDC).
    public struct Sibling: Sendable {
        public var id: String
        public var type: String
        let resolved: ResolvedParameters
        /// Shared by every step's context: a check that reads all siblings of a type (each
        /// app.workload reads every other's volumes) decodes each once, not once per step; 26
        /// workloads decoding each other cost FAF's validate 20 ms.
        let decoded = DecodedOnce()
        public init(id: String, type: String, resolved: ResolvedParameters) {
            self.id = id
            self.type = type
            self.resolved = resolved
        }
    }

    /// A sibling's parameters as decoded for one parameters type; nil inside when they do not decode.
    final class DecodedOnce: Sendable {
        private let values = Mutex<[ObjectIdentifier: any Sendable]>([:])

        /// What the step's own decoding found (CheckedPlaybook decodes every step before validating any).
        func seed(_ decoded: DecodedParameters) {
            // Placeholders are for the step's own checks: its siblings see nil, as when it does not decode.
            let value = decoded.complete ? decoded.value : nil
            values.withLock { $0[decoded.type] = value as (any Sendable) }
        }

        func value<P: Sendable>(_ type: P.Type, _ decode: () -> P?) -> P? {
            if let known = values.withLock({ $0[ObjectIdentifier(type)] }) { return known as? P }
            let value = decode()
            values.withLock { $0[ObjectIdentifier(type)] = value as (any Sendable) }
            return value
        }
    }

    public let stepID: String
    /// Marks of parameters by dotted path (`volumes.0.size`); the empty path is the `with:` node.
    public let marks: [String: Mark]
    public let fallback: Mark?
    public let steps: [Sibling]
    /// Steps the command line leaves out as provided by the environment (`--skip`): what they
    /// would make is not made by this run.
    public let skipped: Set<String>

    /// Each driver type's siblings as ``steps(of:)`` lists them, shared by the contexts of one check.
    public let lists: SiblingLists

    /// `lists` is shared when the contexts are of one playbook's check; a new one lists afresh.
    public init(stepID: String, marks: [String: Mark], fallback: Mark?, steps: [Sibling], skipped: Set<String> = [],
                lists: SiblingLists = SiblingLists()) {
        self.stepID = stepID
        self.marks = marks
        self.fallback = fallback
        self.steps = steps
        self.skipped = skipped
        self.lists = lists
    }

    /// The siblings of each driver type, listed once per check: every app.workload asks for all
    /// the others (host ports, claims), and filtering and copying 33 siblings for each of 139
    /// questions cost FAF's validate a tenth of its time.
    public final class SiblingLists: Sendable {
        private let lists = Mutex<[ObjectIdentifier: any Sendable]>([:])
        public init() {}

        func list<P: Sendable>(_ make: () -> [(id: String, parameters: P)]) -> [(id: String, parameters: P)] {
            let key = ObjectIdentifier(P.self)
            if let known = lists.withLock({ $0[key] }) as? [(id: String, parameters: P)] { return known }
            let made = make()
            lists.withLock { $0[key] = made }
            return made
        }
    }

    /// Where the parameter at `path` was written, or its nearest written ancestor.
    public func mark(_ path: [String]) -> Mark? {
        var path = path
        while true {
            if let mark = marks[path.joined(separator: ".")] { return mark }
            if path.isEmpty { return fallback }
            path.removeLast()
        }
    }

    /// An error about the parameter at `path` of this step.
    public func error(_ message: String, at path: String...) -> Diagnostic {
        .error("step \"\(stepID)\": \(message)", at: mark(path))
    }

    /// An error about the parameter at a path built at run time (`objects.0.spec.template`).
    public func error(_ message: String, at path: [String]) -> Diagnostic {
        .error("step \"\(stepID)\": \(message)", at: mark(path))
    }

    public func warning(_ message: String, at path: String...) -> Diagnostic {
        .warning("step \"\(stepID)\": \(message)", at: mark(path))
    }

    /// The other steps of a driver's type, with their parameters as that driver reads them; steps
    /// whose parameters do not decode are left out (their own validation reports them).
    public func steps<D: StepDriver>(of driver: D.Type) -> [(id: String, parameters: D.Parameters)] {
        lists.list {
            steps.filter { $0.type == D.type }.compactMap { sibling in
                sibling.decoded.value(D.Parameters.self) {
                    ParameterDecoder.decode(D.Parameters.self, from: sibling.resolved, stepID: sibling.id, fallback: nil).0
                }.map { (sibling.id, $0) }
            }
        }
    }
}
