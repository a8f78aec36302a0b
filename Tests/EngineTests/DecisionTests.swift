import Document
import Engine
import Foundation
import Host
import Kube
import Testing
import TestSupport

/// The decision table: a step that is not recorded runs, whatever live state looks like.
@Suite struct DecisionTableTests {
    static let record = Ledger.Record(digest: "sha256:a", completedAt: "2026-01-01T00:00:00Z", type: "app.workload", version: 1)

    @Test func unrecordedOrChangedStepsRunRecordedUnchangedOnesSkip() {
        let record = Self.record
        #expect(Decision.make(record: nil, digest: "sha256:a", forced: false).action == .run)
        #expect(Decision.make(record: record, digest: "sha256:b", forced: false).action == .run)
        #expect(Decision.make(record: record, digest: "sha256:a", forced: true).action == .run)
        #expect(Decision.make(record: record, digest: "sha256:a", forced: false).action == .skip)
        #expect(Decision.make(record: record, digest: nil, forced: false).action == .run)
        #expect(Decision.make(record: nil, digest: "sha256:a", forced: false, target: Targeting(provided: ["web"]), step: "web").action == .skip)
    }

    /// The reason is what plan and apply print beside the step: it names the cause.
    @Test func eachDecisionSaysWhy() {
        let record = Self.record
        #expect(Decision.make(record: nil, digest: "sha256:a", forced: false) == Decision(action: .run, reason: "new"))
        #expect(Decision.make(record: record, digest: "sha256:a", forced: false)
            == Decision(action: .skip, reason: "recorded 2026-01-01T00:00:00Z, unchanged"))
        #expect(Decision.make(record: record, digest: "sha256:b", forced: false)
            == Decision(action: .run, reason: "changed since it was recorded 2026-01-01T00:00:00Z"))
        #expect(Decision.make(record: record, digest: "sha256:a", forced: true) == Decision(action: .run, reason: "forced with --force-step"))
        #expect(Decision.make(record: record, digest: nil, forced: false).reason.contains("cannot be compared without the ledger key"))
    }

    /// The selection comes first: a step left out is not run, forced or not, recorded or not, and
    /// its reason names the switch, never "recorded, unchanged".
    @Test func theSelectionComesBeforeTheRecordAndForceStep() {
        let only = Targeting(only: ["a"])
        for record in [nil, Self.record] {
            for forced in [false, true] {
                let left = Decision.make(record: record, digest: "sha256:a", forced: forced, target: only, step: "b")
                #expect(left == Decision(action: .skip, reason: "not selected with --only", selected: false))
                let provided = Decision.make(record: record, digest: "sha256:a", forced: forced, target: Targeting(provided: ["b"]), step: "b")
                #expect(provided == Decision(action: .skip, reason: "skipped with --skip: taken as provided by the environment", selected: false))
            }
        }
        #expect(Decision.make(record: nil, digest: "sha256:a", forced: false, target: only, step: "a").action == .run)
        #expect(only.selects("a") && !only.selects("b"))
        #expect(!Targeting(only: ["a"], provided: ["a"]).selects("a"))
    }
}

/// The decision as plan and apply act on it, against the emulator: what runs, what is skipped,
/// and the word each step ends with.
@Suite struct DecisionWalkTests {
    /// Three kube.objects steps, a ConfigMap each: b needs a, c stands alone.
    static func playbook(_ rig: EngineRig, b data: String = "{k: v}") throws -> CheckedPlaybook {
        func step(_ id: String, needs: String = "", data: String = "{k: v}") -> String {
            "  - {id: \(id), type: kube.objects\(needs), with: {objects: [{apiVersion: v1, kind: ConfigMap, "
                + "metadata: {name: cm-\(id), namespace: default}, data: \(data)}]}}\n"
        }
        return try rig.playbook("apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: decide}\nsteps:\n"
            + step("a") + step("b", needs: ", needs: [a]", data: data) + step("c"))
    }

    func walker(_ rig: EngineRig, verify: Bool = false, force: Set<String> = [], failStep: String? = nil,
                targeting: Targeting = Targeting()) -> Walker {
        Walker(host: rig.host, connection: rig.connection(),
               options: WalkOptions(parallel: 1, verify: verify, forceSteps: force, failStep: failStep, waitTimeout: .seconds(20),
                                    targeting: targeting))
    }

    func outcomes(_ report: ApplyReport) -> [String: StepOutcome] {
        Dictionary(uniqueKeysWithValues: report.steps.map { ($0.id, $0.outcome) })
    }

    func reasons(_ report: ApplyReport) -> [String: String] {
        Dictionary(uniqueKeysWithValues: report.steps.map { ($0.id, $0.reason) })
    }

    func planned(_ report: PlanReport, _ id: String) -> PlanReport.PlannedStep? { report.steps.first { $0.id == id } }

    func configMap(_ rig: EngineRig, _ name: String) -> Value? {
        rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: name)
    }

    func deleteConfigMap(_ rig: EngineRig, _ name: String) async throws {
        let kube = try #require(try await rig.connection().connect())
        _ = try await kube.delete(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: name))
        #expect(configMap(rig, name) == nil)
    }

    @Test func aRecordedUnchangedStepIsSkippedAndNothingIsWritten() async throws {
        let rig = try EngineRig()
        let playbook = try Self.playbook(rig)
        let first = try await rig.apply(playbook)
        #expect(outcomes(first) == ["a": .applied, "b": .applied, "c": .applied])
        let writes = rig.writesSeen().count
        let again = try await rig.apply(playbook)
        #expect(outcomes(again) == ["a": .skipped, "b": .skipped, "c": .skipped])
        #expect(reasons(again).values.allSatisfy { $0.hasPrefix("recorded ") && $0.hasSuffix(", unchanged") }, "\(reasons(again))")
        #expect(rig.writesSeen().count == writes, "a re-run of recorded steps wrote")
        #expect(!(try await rig.plan(playbook)).hasChanges)
    }

    @Test func aChangedStepRunsAndTheOthersStaySkipped() async throws {
        let rig = try EngineRig()
        _ = try await rig.apply(try Self.playbook(rig))
        let changed = try Self.playbook(rig, b: "{k: changed}")
        let plan = try await rig.plan(changed)
        #expect(planned(plan, "b")?.action == .run)
        #expect(planned(plan, "b")?.reason.hasPrefix("changed since it was recorded ") == true)
        #expect(planned(plan, "b")?.symbol == "~")
        #expect(planned(plan, "a")?.action == .skip && planned(plan, "c")?.action == .skip)
        let report = try await rig.apply(changed)
        #expect(outcomes(report) == ["a": .skipped, "b": .applied, "c": .skipped])
        #expect(configMap(rig, "cm-b")?["data"]?["k"] == "changed")
    }

    @Test func forceStepRunsARecordedStep() async throws {
        let rig = try EngineRig()
        let playbook = try Self.playbook(rig)
        _ = try await rig.apply(playbook)
        let plan = try await walker(rig, force: ["c"]).plan(playbook)
        #expect(planned(plan, "c")?.action == .run)
        #expect(plan.text(playbookPath: "decide.yaml").contains("~ c  kube.objects  run: forced with --force-step"))
        let report = try await walker(rig, force: ["c"]).apply(playbook)
        #expect(outcomes(report) == ["a": .skipped, "b": .skipped, "c": .applied])
        #expect(reasons(report)["c"] == "forced with --force-step")
    }

    /// `--verify` checks recorded steps against live state: a drifted one runs again, an intact
    /// one stays skipped and says it was verified.
    @Test func verifyRedoesADriftedRecordedStepOnly() async throws {
        let rig = try EngineRig()
        let playbook = try Self.playbook(rig)
        _ = try await rig.apply(playbook)
        try await deleteConfigMap(rig, "cm-c")
        // Without --verify the ledger is trusted.
        #expect(!(try await rig.plan(playbook)).hasChanges)

        let plan = try await rig.plan(playbook, verify: true)
        #expect(planned(plan, "c")?.action == .run)
        #expect(planned(plan, "c")?.reason.hasPrefix("drifted: ") == true, "\(planned(plan, "c")?.reason ?? "")")
        #expect(planned(plan, "a")?.action == .skip)
        #expect(planned(plan, "a")?.reason.hasSuffix(", unchanged, verified") == true)

        let report = try await rig.apply(playbook, verify: true)
        #expect(outcomes(report) == ["a": .skipped, "b": .skipped, "c": .applied])
        #expect(configMap(rig, "cm-c") != nil)
    }

    /// Steps outside `--only` are "not selected": never "skipped (recorded, unchanged)" when they
    /// were never recorded, and never "blocked" when a selected step they need fails.
    @Test func stepsOutsideOnlyAreNotSelectedNeverSkippedOrBlocked() async throws {
        let rig = try EngineRig()
        let playbook = try Self.playbook(rig)
        let only = Targeting(only: ["a"])
        let plan = try await walker(rig, targeting: only).plan(playbook)
        #expect(plan.text(playbookPath: "decide.yaml").contains("= b  kube.objects  skip: not selected with --only"))
        #expect(planned(plan, "a")?.action == .run && planned(plan, "a")?.symbol == "+")

        let failed = try await walker(rig, failStep: "a", targeting: only).apply(playbook)
        #expect(outcomes(failed)["a"]?.word == "failed")
        #expect(outcomes(failed)["b"] == .notSelected("not selected with --only"))
        #expect(outcomes(failed)["c"] == .notSelected("not selected with --only"))
        #expect(failed.blocked.isEmpty, "\(failed.blocked)")

        let applied = try await walker(rig, targeting: only).apply(playbook)
        #expect(outcomes(applied) == ["a": .applied, "b": .notSelected("not selected with --only"), "c": .notSelected("not selected with --only")])
        #expect(rig.ledger("decide").keys.sorted() == ["a"])
        #expect(configMap(rig, "cm-b") == nil && configMap(rig, "cm-c") == nil)
    }

    /// `--skip` takes a step as provided: it does not run, and the steps that need it do.
    @Test func skipTakesAStepAsProvidedAndItsDependentsRun() async throws {
        let rig = try EngineRig()
        let report = try await walker(rig, targeting: Targeting(provided: ["a"])).apply(try Self.playbook(rig))
        #expect(outcomes(report)["a"] == .notSelected("skipped with --skip: taken as provided by the environment"))
        #expect(outcomes(report)["b"] == .applied && outcomes(report)["c"] == .applied)
        #expect(configMap(rig, "cm-a") == nil)
        #expect(rig.ledger("decide").keys.sorted() == ["b", "c"])
    }

    /// `--only b` when a is neither recorded, selected nor skipped: refused before anything is written.
    @Test func onlyWithANeedThatIsNotThereIsRefused() async throws {
        let rig = try EngineRig()
        let playbook = try Self.playbook(rig)
        await #expect(throws: UnmetNeeds.self) { try await walker(rig, targeting: Targeting(only: ["b"])).apply(playbook) }
        await #expect(throws: UnmetNeeds.self) { try await walker(rig, targeting: Targeting(only: ["b"])).plan(playbook) }
        #expect(rig.writesSeen().isEmpty)
        // Once a is recorded, b alone may run.
        _ = try await walker(rig, targeting: Targeting(only: ["a"])).apply(playbook)
        let report = try await walker(rig, targeting: Targeting(only: ["b"])).apply(playbook)
        #expect(outcomes(report)["b"] == .applied)
    }

    /// A failed step is not recorded, its dependents are blocked, and the next apply runs it.
    @Test func aFailedStepRunsAgainOnTheNextApply() async throws {
        let rig = try EngineRig()
        let playbook = try Self.playbook(rig)
        let failed = try await walker(rig, failStep: "a").apply(playbook)
        #expect(outcomes(failed)["a"]?.word == "failed")
        #expect(outcomes(failed)["b"] == .blocked(by: "a"))
        #expect(outcomes(failed)["c"] == .applied)
        #expect(rig.ledger("decide").keys.sorted() == ["c"])
        let plan = try await rig.plan(playbook)
        #expect(planned(plan, "a")?.action == .run && planned(plan, "a")?.reason == "new")
        let again = try await rig.apply(playbook)
        #expect(outcomes(again) == ["a": .applied, "b": .applied, "c": .skipped])
    }

    /// A step stopped by Ctrl-C while it ran ends "interrupted" (not "failed"), is not recorded,
    /// and the re-run redoes it.
    @Test func anInterruptedStepIsNotRecordedAndRunsAgain() async throws {
        let rig = try EngineRig()
        let playbook = try rig.playbook("""
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: decide}
            steps:
              - {id: conf, type: host.file, with: {path: /etc/faf/app.conf, content: "x=1\\n"}}
              - {id: ns, type: kube.namespaces, needs: [conf], with: {names: [ns-after]}}
            """)
        let interruption = Interruption()
        // The host stops at its first change, as a command killed by the signal would; the signal
        // came while the step ran.
        let stopping = StoppingHost(wrapping: rig.host, stopAt: 1, afterChange: false)
        let walker = Walker(host: stopping, connection: rig.connection(),
                            options: WalkOptions(parallel: 1, waitTimeout: .seconds(20), interruption: interruption),
                            progress: { event in if case .started = event { interruption.trigger() } })
        let stopped = try await walker.apply(playbook)
        #expect(outcomes(stopped)["conf"]?.word == "interrupted", "\(outcomes(stopped))")
        // What needs it did not start (the summary counts it among "not started").
        #expect(outcomes(stopped)["ns"] == .blocked(by: "conf"))
        #expect(rig.ledger("decide").isEmpty)

        let again = try await rig.apply(playbook)
        #expect(outcomes(again) == ["conf": .applied, "ns": .applied])
        #expect(FileManager.default.fileExists(atPath: rig.hostRoot.path + "/etc/faf/app.conf"))
    }

    /// The bug of issue 27, item 1: a step that is not recorded runs, whatever the object diff says
    /// (its objects may all be in place from a run that failed after writing them).
    @Test func anUnrecordedStepRunsEvenWhenItsObjectsAreInPlace() async throws {
        let rig = try EngineRig()
        let playbook = try Self.playbook(rig)
        _ = try await rig.apply(playbook)
        let kube = try #require(try await rig.connection().connect())
        try await Ledger.remove(kube, playbook: "decide", step: "c", shards: Ledger.shardCount(steps: 3))
        let plan = try await rig.plan(playbook)
        let c = try #require(planned(plan, "c"))
        #expect(c.action == .run && c.reason == "new" && c.symbol == "+")
        #expect(c.objects.allSatisfy { $0.action == .unchanged }, "the objects are in place")
        #expect(plan.hasChanges)
        let report = try await rig.apply(playbook)
        #expect(outcomes(report) == ["a": .skipped, "b": .skipped, "c": .applied])
        #expect(rig.ledger("decide").keys.sorted() == ["a", "b", "c"])
    }

    /// `plan --verify --only a` checks only what it would run: a step left out is shown as not
    /// selected even when it drifted, as apply leaves it (the plan said "run" before).
    @Test func verifyChecksOnlySelectedSteps() async throws {
        let rig = try EngineRig()
        let playbook = try Self.playbook(rig)
        _ = try await rig.apply(playbook)
        try await deleteConfigMap(rig, "cm-c")
        let only = Targeting(only: ["a"])
        let plan = try await walker(rig, verify: true, targeting: only).plan(playbook)
        #expect(planned(plan, "c")?.action == .skip)
        #expect(planned(plan, "c")?.reason == "not selected with --only")
        #expect(!plan.hasChanges)
        let report = try await walker(rig, verify: true, targeting: only).apply(playbook)
        #expect(outcomes(report)["c"] == .notSelected("not selected with --only"))
        #expect(configMap(rig, "cm-c") == nil)
    }
}
