import Document
import Emulator
import Engine
import Foundation
import Playbook
import Steps
import Testing
import TestSupport

/// FAF's cluster steps under injected API faults (issue 18, item 8): every run completes through
/// retries, loses no step, and a re-run finds everything recorded and writes nothing.
@Suite(.serialized) struct FaultSoakTests {
    static let runs = 3
    static let rate = 0.2

    /// playbooks/faf.yaml without the steps that do host work (k3s.install, storage.local-volumes),
    /// and without the app.workload steps, whose claims that volumes step makes (their Services,
    /// which the routes need, written by a kube.objects step instead).
    static func clusterSteps(_ rig: EngineRig) throws -> CheckedPlaybook {
        let path = Paths.repository + "/playbooks/faf.yaml"
        var playbook = try PlaybookLoader.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
        let host: Set = ["k3s.install", "storage.local-volumes", "app.workload"]
        let dropped = Set(playbook.steps.filter { host.contains($0.type) }.map(\.id))
        let needsOf = Dictionary(uniqueKeysWithValues: playbook.steps.map { ($0.id, $0.needs) })
        playbook.steps = playbook.steps.filter { !dropped.contains($0.id) }.map { step in
            var step = step
            // A dropped step's own needs stand in for it, so the order it implied is kept.
            var needs = step.needs
            while let index = needs.firstIndex(where: { dropped.contains($0.id) }) {
                let gone = needs.remove(at: index)
                for inherited in needsOf[gone.id] ?? [] where !needs.contains(where: { $0.id == inherited.id }) { needs.append(inherited) }
            }
            step.needs = needs
            return step
        }
        // The workloads' Services stand in for them: a route to a Service no step creates is refused.
        if let routes = playbook.steps.first(where: { $0.type == "traefik.routes" })?.with {
            let fallback = routes["namespace"]?.scalarText ?? "default"
            var services: Set<String> = []
            for list in ["routes", "tcp", "udp"] {
                for route in routes[list]?.sequence ?? [] {
                    guard let name = route["service"]?.scalarText, !name.contains("@") else { continue }
                    services.insert("{apiVersion: v1, kind: Service, metadata: {name: \(name), namespace: \(route["namespace"]?.scalarText ?? fallback)}, spec: {ports: [{port: 80}]}}")
                }
            }
            let text = "apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: faf}\nsteps:\n"
                + "  - id: services\n    type: kube.objects\n    needs: [namespaces]\n    with:\n      objects:\n"
                + services.sorted().map { "        - \($0)\n" }.joined()
            playbook.steps.append(contentsOf: try PlaybookLoader.parse(text, file: "services.yaml").steps)
        }
        let secretsPath = try rig.secretsDirectory.write("secrets.yaml", try String(contentsOfFile: Paths.repository + "/secrets.example", encoding: .utf8))
        let secrets = try Secrets.load(path: secretsPath, policy: .refuse).0
        return try CheckedPlaybook.check(playbook, secrets: secrets, registry: StepCatalog.registry)
    }

    @Test func fafClusterStepsAt20PercentFaultsLoseNothingAndConverge() async throws {
        for run in 0..<Self.runs {
            let rig = try EngineRig(crds: true)
            let playbook = try Self.clusterSteps(rig)
            let ids = playbook.orderedSteps.map(\.id)
            #expect(ids.count == 6)
            // About 20% of requests fail: 429, 503, a connection closed or reset without an answer,
            // or an answer lost after the request took effect.
            let seed = UInt64(1000 + run * 10)
            rig.server.inject(Fault(action: .status(429, retryAfterSeconds: 0), probability: Self.rate / 5, seed: seed))
            rig.server.inject(Fault(action: .status(503, retryAfterSeconds: nil), probability: Self.rate * 2 / 5, seed: seed + 1))
            rig.server.inject(Fault(action: .dropConnection, probability: Self.rate / 10, seed: seed + 2))
            rig.server.inject(Fault(action: .resetConnection, probability: Self.rate / 10, seed: seed + 3))
            rig.server.inject(Fault(action: .loseResponse, probability: Self.rate / 5, seed: seed + 4))
            // Retries absorb the faults: the run completes (the lease, ledger and key creates included).
            let faulted = try await rig.apply(playbook)
            let faultedRequests = rig.server.requests()
            #expect(faultedRequests.filter(\.faulted).count >= 5, "run \(run): faults were injected")
            #expect(faulted.steps.allSatisfy { $0.outcome == .applied }, "run \(run): \(faulted.steps.map { "\($0.id): \($0.outcome)" })")
            // No lost step: every step the run reports applied is recorded.
            #expect(Set(rig.ledger("faf").keys) == Set(ids), "run \(run): every applied step is recorded")

            rig.server.clearFaults()
            let noop = try await rig.apply(playbook)
            #expect(noop.steps.allSatisfy { $0.outcome == .skipped })
            #expect(noop.requests.writes == 0)
        }
    }
}
