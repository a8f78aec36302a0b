import Document
import Engine
import Kube

// Removing a grant from the playbook must revoke it: RBAC objects this step wrote earlier and no
// longer wants are found at check (and shown to the reviewer) and deleted at apply.
extension RBACOIDC {
    static let staleNote = "stale"

    public func check(_ context: StepContext) async throws -> StepPlan {
        var plan = StepPlan(objects: objects, warnings: warnings)
        guard let kube = context.kube else { return plan }
        let stale = try await staleObjects(kube, context)
        for ref in stale { plan.warnings.append("deletes \(ref): no longer wanted by this step, so the access it gave is revoked") }
        if !stale.isEmpty { plan.notes[Self.staleNote] = stale.map { "\($0.kind)\t\($0.namespace ?? "")\t\($0.name)" }.joined(separator: "\n") }
        return plan
    }

    public func apply(_ plan: StepPlan, _ context: StepContext) async throws {
        // New bindings first, so moving a group from one Role to another never leaves it without access.
        try await context.applyObjects(plan.objects)
        guard let lines = plan.notes[Self.staleNote] else { return }
        let kube = try context.requireKube()
        for line in lines.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3 else { continue }
            try await kube.delete(ObjectRef(apiVersion: Self.rbacVersion, kind: fields[0],
                                            namespace: fields[1].isEmpty ? nil : fields[1], name: fields[2]))
        }
    }

    /// RBAC objects stamped with this step's annotation that the current parameters do not produce.
    func staleObjects(_ kube: KubeClient, _ context: StepContext) async throws -> [ObjectRef] {
        let annotation = Ledger.stepAnnotation
        let mine = context.stamped(["metadata": [:]])[path: ["metadata", "annotations", annotation]]
        let wanted = Set(objects.compactMap(ObjectRef.init))
        var stale: [ObjectRef] = []
        for kind in ["Role", "RoleBinding", "ClusterRoleBinding"] {
            let live = try await kube.list(apiVersion: Self.rbacVersion, kind: kind, namespace: nil,
                                           labelSelector: "app.kubernetes.io/managed-by=bootstrap")
            for object in live where object[path: ["metadata", "annotations", annotation]] == mine {
                guard let ref = ObjectRef(object), ref.name.hasPrefix(Self.namePrefix), !wanted.contains(ref) else { continue }
                stale.append(ref)
            }
        }
        return stale
    }
}
