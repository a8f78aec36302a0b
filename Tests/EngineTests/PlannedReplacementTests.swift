import Document
import Emulator
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// What apply changes besides applying objects is in the plan: a Job whose pod template changed
/// is replaced (deleted and created again), and plan says so instead of dry-running an update the
/// API server would refuse.
@Suite struct PlannedReplacementTests {
    /// A namespace and one workload in it, `with` its parameters besides name and namespace (a line each).
    static func playbook(_ rig: EngineRig, name: String, workload: String, with: [String]) throws -> CheckedPlaybook {
        try rig.playbook("""
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: \(name)}
            steps:
              - id: namespaces
                type: kube.namespaces
                with: {names: [faf-apps]}
              - id: \(workload)
                type: app.workload
                needs: [namespaces]
                with:
                  name: \(workload)
                  namespace: faf-apps
                  \(with.joined(separator: "\n      "))
            """)
    }

    static func playbook(_ rig: EngineRig, image: String) throws -> CheckedPlaybook {
        try playbook(rig, name: "replace", workload: "migrations", with: ["kind: Job", "image: \(image)", #"resources: {limits: {cpu: "1", memory: 1Gi}}"#])
    }

    static let job = ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: "faf-apps", name: "migrations")

    @Test func aChangedJobIsPlannedAsAReplacementAndApplyPerformsExactlyThat() async throws {
        let rig = try EngineRig()
        let first = try await rig.apply(try Self.playbook(rig, image: "faforever/faf-db-migrations:v126"))
        #expect(first.failed.isEmpty, "\(first.steps.map(\.outcome))")
        let before = try #require(rig.server.object(apiVersion: "batch/v1", kind: "Job", namespace: "faf-apps", name: "migrations"))

        let changed = try Self.playbook(rig, image: "faforever/faf-db-migrations:v127")
        let plan = try await rig.plan(changed)
        let step = try #require(plan.steps.first { $0.id == "migrations" })
        let reason = "its pod template cannot be updated, so the Job is deleted and runs again"
        #expect(step.preparations == [.replace(Self.job, reason: reason)])
        #expect(step.objects.first { $0.kind == "Job" }?.action == .replace)
        let text = plan.text(playbookPath: "replace.yaml")
        #expect(text.contains("      -/+ Job faf-apps/migrations (replace: \(reason))"), "\(text)")
        #expect(text.contains("          ~ spec.template.spec.containers[0].image (differs)"), "\(text)")
        let json = plan.json["steps"]?.arrayValue?.first { $0["id"] == "migrations" }
        #expect(json?["preparations"]?.arrayValue?.first?["action"] == "replace")

        let writesBefore = rig.writesSeen().count
        let second = try await rig.apply(changed)
        #expect(second.failed.isEmpty, "\(second.steps.map(\.outcome))")
        let after = try #require(rig.server.object(apiVersion: "batch/v1", kind: "Job", namespace: "faf-apps", name: "migrations"))
        #expect(after[path: ["metadata", "uid"]] != before[path: ["metadata", "uid"]])
        let deletes = rig.writesSeen().dropFirst(writesBefore).filter { $0.method == "DELETE" }.map(\.path)
        #expect(deletes.filter { $0.hasPrefix("/apis/batch/v1/namespaces/faf-apps/jobs/") } == ["/apis/batch/v1/namespaces/faf-apps/jobs/migrations"],
                "\(deletes)")
    }

    static func deployment(_ rig: EngineRig, recreate: Bool) throws -> CheckedPlaybook {
        try playbook(rig, name: "strategy", workload: "lobby", with: [
            "image: faforever/faf-python-server:v1.13", #"resources: {limits: {cpu: "1", memory: 1Gi}}"#,
            "ports: [{name: tcp-8001, port: 8001\(recreate ? ", hostPort: 8001" : "")}]",
        ] + (recreate ? ["strategy: Recreate"] : []))
    }

    @Test func aSwitchToRecreateIsPlannedAsAMergePatchBeforeTheApply() async throws {
        let rig = try EngineRig()
        let first = try await rig.apply(try Self.deployment(rig, recreate: false))
        #expect(first.failed.isEmpty, "\(first.steps.map(\.outcome))")
        let ref = ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "faf-apps", name: "lobby")

        let bound = try Self.deployment(rig, recreate: true)
        let plan = try await rig.plan(bound)
        let step = try #require(plan.steps.first { $0.id == "lobby" })
        guard case .mergePatch(let patched, let patch, let reason)? = step.preparations.first else {
            Issue.record("no merge patch planned: \(step.preparations)")
            return
        }
        #expect(patched == ref)
        #expect(patch == ["spec": ["strategy": ["type": "Recreate", "rollingUpdate": .null]]])
        #expect(reason.hasPrefix("strategy RollingUpdate to Recreate (host port 8001"), "\(reason)")
        let text = plan.text(playbookPath: "strategy.yaml")
        #expect(text.contains("      ~ Deployment faf-apps/lobby (merge patch before the apply: strategy RollingUpdate to Recreate"), "\(text)")

        let writesBefore = rig.writesSeen().count
        let second = try await rig.apply(bound)
        #expect(second.failed.isEmpty, "\(second.steps.map(\.outcome))")
        let patches = rig.writesSeen().dropFirst(writesBefore).filter { $0.method == "PATCH" && $0.path.hasSuffix("/deployments/lobby") }
        // The merge patch, then the apply (which cannot remove the defaulted rollingUpdate itself).
        #expect(patches.count >= 2, "\(patches.map(\.query))")
        let live = try #require(rig.server.object(apiVersion: "apps/v1", kind: "Deployment", namespace: "faf-apps", name: "lobby"))
        #expect(live[path: ["spec", "strategy"]] == ["type": "Recreate"])
    }
}
