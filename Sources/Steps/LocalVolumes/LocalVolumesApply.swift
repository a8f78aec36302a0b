import Document
import Engine
import Kube

// Host work goes through the zfs.dataset and data.migrate drivers, volume by volume, before the
// objects exist: a PersistentVolume must never point at a path that is not ready.
extension LocalVolumes {
    public func check(_ context: StepContext) async throws -> ChangeSet {
        var plan = ChangeSet(objects: try await objectsToApply(context))
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
                if phase == "Lost" { throw StepError("claim \(volume.namespace)/\(volume.claimName) is Lost: its volume \(volume.name) went away or no longer names it in claimRef") }
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

    /// ``objects``, with `claimRef` left out of every PersistentVolume that already exists.
    ///
    /// claimRef is atomic since Kubernetes 1.22 (`io.k8s.api.core.v1.ObjectReference` is
    /// `x-kubernetes-map-type: atomic`), so re-applying it without the uid the PV controller wrote
    /// replaces it whole: the uid goes, and the controller declares the bound claim Lost
    /// (pkg/controller/volume/persistentvolume/pv_controller.go, syncBoundClaim). Of the two fixes,
    /// sending the live uid back or not sending claimRef after creation, the second is the safer:
    /// - the binder's update makes claimRef its own (an Update manager takes the fields it changes),
    ///   so an apply that leaves claimRef out removes nothing once the claim is bound;
    /// - copying the uid reads the volume and writes it back later: a claim bound in between would
    ///   still lose its uid and go Lost, which is terminal; leaving claimRef out can at worst unbind a
    ///   volume whose claim was never bound, and the claim's own `volumeName` binds it again.
    /// A volume being created still gets claimRef, so no other claim can take it first.
    func objectsToApply(_ context: StepContext) async throws -> [Value] {
        guard let kube = context.kube else { return objects }
        // One list instead of a read per volume; a volume created by hand is found too.
        let existing = Set(try await kube.list(apiVersion: "v1", kind: "PersistentVolume", namespace: nil, labelSelector: nil)
            .compactMap { $0[path: ["metadata", "name"]]?.stringValue })
        return objects.map { object in
            guard object["kind"]?.stringValue == "PersistentVolume",
                  let name = object[path: ["metadata", "name"]]?.stringValue, existing.contains(name) else { return object }
            var object = object
            object["spec"]?["claimRef"] = nil
            return object
        }
    }

    func claimRef(_ volume: Volume) -> ObjectRef {
        ObjectRef(apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: volume.namespace, name: volume.claimName)
    }
}
