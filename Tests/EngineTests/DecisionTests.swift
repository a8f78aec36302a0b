import Engine
import Testing

/// The decision table: a step that is not recorded runs, whatever live state looks like.
@Suite struct DecisionTableTests {
    @Test func unrecordedOrChangedStepsRunRecordedUnchangedOnesSkip() {
        let record = Ledger.Record(digest: "sha256:a", completedAt: "2026-01-01T00:00:00Z", type: "app.workload", version: 1)
        #expect(Decision.make(record: nil, digest: "sha256:a", forced: false).action == .run)
        #expect(Decision.make(record: record, digest: "sha256:b", forced: false).action == .run)
        #expect(Decision.make(record: record, digest: "sha256:a", forced: true).action == .run)
        #expect(Decision.make(record: record, digest: "sha256:a", forced: false).action == .skip)
        #expect(Decision.make(record: record, digest: nil, forced: false).action == .run)
        #expect(Decision.make(record: nil, digest: "sha256:a", forced: false, target: Targeting(provided: ["web"]), step: "web").action == .skip)
    }
}
