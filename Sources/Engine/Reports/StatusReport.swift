import Document
import Platform

/// What the ledger says of each step, compared with the playbook as it is now.
public struct StatusReport: Sendable {
    public struct Entry: Sendable {
        public var id: String
        public var type: String
        public var completedAt: String?
        /// nil when not recorded; false when the playbook changed since.
        public var matches: Bool?
        /// What the step's driver tells of the live state (a workload's rollout), if anything.
        public var state: String? = nil
    }

    public var playbook: String
    public var steps: [Entry]

    public var text: String {
        let width = steps.map(\.id.count).max() ?? 0
        var lines = steps.map { entry -> String in
            let id = entry.id.padded(to: width)
            let state = entry.state.map { "; \($0)" } ?? ""
            switch (entry.completedAt, entry.matches) {
            case (let at?, true?): return "  \(id)  recorded \(at)  up to date\(state)"
            case (let at?, _): return "  \(id)  recorded \(at)  CHANGED in the playbook since\(state)"
            default: return "  \(id)  not recorded\(state)"
            }
        }
        let done = steps.filter { $0.matches == true }.count
        lines.append("\(done) of \(steps.count) steps recorded and up to date.")
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: Value {
        [
            "playbook": .string(playbook),
            "steps": .array(steps.map { entry in
                var item: Value = [
                    "id": .string(entry.id), "type": .string(entry.type),
                    "recorded": .bool(entry.completedAt != nil),
                    "completedAt": entry.completedAt.map(Value.string) ?? .null,
                    "upToDate": .bool(entry.matches == true),
                ]
                if let state = entry.state { item["state"] = .string(state) }
                return item
            }),
        ]
    }
}
