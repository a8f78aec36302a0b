import Document
import Engine
import Kube

// Removing a grant from the playbook must revoke it: RBAC objects this step wrote earlier and no
// longer wants are found at check (and shown to the reviewer) and deleted at apply.
extension RBACOIDC {
    public func check(_ context: StepContext) async throws -> ChangeSet {
        var plan = ChangeSet(objects: objects, warnings: warnings)
        guard let kube = context.kube else { return plan }
        // Deleted after the new objects are applied (the engine's order), so moving a group from
        // one Role to another never leaves it without access.
        plan.deletions = try await staleObjects(kube, context)
        for ref in plan.deletions { plan.warnings.append("deletes \(ref): no longer wanted by this step, so the access it gave is revoked") }
        return plan
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
