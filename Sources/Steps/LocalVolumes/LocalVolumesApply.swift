import Document
import Engine
import Kube

// Host work goes through the zfs.dataset and data.migrate drivers, volume by volume, before the
// objects exist: a PersistentVolume must never point at a path that is not ready.
extension LocalVolumes {
    public func check(_ context: StepContext) async throws -> ChangeSet {
        var plan = ChangeSet(objects: objects)
        for volume in parameters.volumes {
            let dataset = dataset(volume)
            plan.append(try await dataset.check(context))
            guard let migration = migration(volume) else { continue }
            var migrationPlan = try await migration.check(context)
            // The dataset is created by this very step just before, so its absence is expected.
            if try await dataset.inspect(context.host).create { migrationPlan.warnings = [] }
            plan.append(migrationPlan)
        }
        return plan
    }

    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        try await context.perform(plan.host)
        try await context.applyObjects(plan.objects)
        let kube = try context.requireKube()
        for volume in parameters.volumes {
            let ref = claimRef(volume)
            try await context.wait(for: "claim \(volume.namespace)/\(volume.claimName) to be Bound") {
                let phase = try await kube.get(ref)?[path: ["status", "phase"]]?.stringValue
                if phase == "Lost" { throw StepError("claim \(volume.namespace)/\(volume.claimName) is Lost: its volume \(volume.name) went away") }
                return phase == "Bound"
            }
        }
    }

    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] {
        var drift = try await context.drift(of: plan.objects)
        let kube = try context.requireKube()
        for volume in parameters.volumes {
            drift += try await dataset(volume).verify(ChangeSet(), context)
            if let migration = migration(volume) { drift += try await migration.verify(ChangeSet(), context) }
            let phase = try await kube.get(claimRef(volume))?[path: ["status", "phase"]]?.stringValue
            // A missing claim is already reported by the object drift.
            if let phase, phase != "Bound" {
                drift.append("claim \(volume.namespace)/\(volume.claimName) is \(phase), not Bound to \(volume.name)")
            }
        }
        return drift
    }

    func claimRef(_ volume: Volume) -> ObjectRef {
        ObjectRef(apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: volume.namespace, name: volume.claimName)
    }
}
