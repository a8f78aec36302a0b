import Document
import FoundationEssentials

/// What the API server refuses to change in an object that exists: immutable and guarded fields,
/// as kube-apiserver v1.31's registry strategies and admission check them
/// (kubernetes/kubernetes `pkg/apis/core/validation/validation.go`, `pkg/apis/batch/validation`,
/// `pkg/apis/apps/validation`, `plugin/pkg/admission/storage/persistentvolume/resize`). A
/// rehearsal that accepted these would pass and the node refuse them.
extension Store {
    func validateUpdate(_ t: ResourceType, old: Value, new: Value, name: String) throws(APIError) {
        switch (t.group, t.kind) {
        case ("", "PersistentVolumeClaim"): try claimUpdate(t, old: old, new: new, name: name)
        case ("", "PersistentVolume"):
            // ValidatePersistentVolumeUpdate: the volume source may not change; volumeMode and
            // (once set) nodeAffinity are immutable.
            let guarded = ["capacity", "accessModes", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName", "mountOptions",
                           "volumeMode", "nodeAffinity", "volumeAttributesClassName"]
            func source(_ v: Value) -> Value { .object(Object((v["spec"]?.objectValue ?? Object()).filter { !guarded.contains($0.key) })) }
            var causes: [APIError.Cause] = []
            if source(old) != source(new) {
                causes.append(.init(reason: "FieldValueForbidden", field: "spec.persistentvolumesource",
                                    detail: "Forbidden: spec.persistentvolumesource is immutable after creation"))
            }
            for field in ["volumeMode", "nodeAffinity"] where old[path: ["spec", field]] != nil && old[path: ["spec", field]] != new[path: ["spec", field]] {
                causes.append(.init(reason: "FieldValueInvalid", field: "spec.\(field)", detail: "Invalid value: \(field): field is immutable"))
            }
            if !causes.isEmpty { throw .invalid(t, name, causes) }
        case ("batch", "Job"):
            // ValidateJobSpecUpdate: the pod template and the selector are immutable (a changed
            // Job is deleted and created again).
            for field in ["template", "selector"] where old[path: ["spec", field]] != new[path: ["spec", field]] {
                throw .invalid(t, name, [.init(reason: "FieldValueInvalid", field: "spec.\(field)", detail: "Invalid value: \(field): field is immutable")])
            }
        case ("apps", "StatefulSet"):
            // ValidateStatefulSetUpdate: only these spec fields may change.
            let mutable = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"]
            func fixed(_ v: Value) -> Value { .object(Object((v["spec"]?.objectValue ?? Object()).filter { !mutable.contains($0.key) })) }
            if fixed(old) != fixed(new) {
                throw .invalid(t, name, [.init(reason: "FieldValueForbidden", field: "spec",
                    detail: "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
                        + "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")])
            }
        case ("", "Service"):
            // validateServiceClusterIPsRelatedFields: a cluster IP, once set, stays (type changes aside).
            let before = old[path: ["spec", "clusterIP"]]?.stringValue ?? "", after = new[path: ["spec", "clusterIP"]]?.stringValue ?? ""
            let sameType = old[path: ["spec", "type"]] == new[path: ["spec", "type"]]
            if sameType, !before.isEmpty, before != "None" || after != "None", before != after {
                throw .invalid(t, name, [.init(reason: "FieldValueInvalid", field: "spec.clusterIPs[0]",
                                               detail: "Invalid value: []string{\"\(after)\"}: may not change once set")])
            }
        default:
            break
        }
    }

    /// A claim's spec is fixed once created but for its storage request, which may grow only when
    /// it is bound and its StorageClass allows expansion (the local class does not).
    private func claimUpdate(_ t: ResourceType, old: Value, new: Value, name: String) throws(APIError) {
        let storage = ["resources", "requests", "storage"]
        let before = old[path: ["spec"] + storage], after = new[path: ["spec"] + storage]
        var oldSpec = old["spec"] ?? .object(Object()), newSpec = new["spec"] ?? .object(Object())
        // volumeName is set by the binder on a claim that had none: that is not a user's change.
        if oldSpec["volumeName"] == nil { newSpec["volumeName"] = nil }
        for spec in [0, 1] {
            var requests = (spec == 0 ? oldSpec : newSpec)[path: ["resources", "requests"]]?.objectValue ?? Object()
            requests["storage"] = nil
            if spec == 0 { oldSpec["resources"]?["requests"] = .object(requests) } else { newSpec["resources"]?["requests"] = .object(requests) }
        }
        let bound = old[path: ["status", "phase"]]?.stringValue == "Bound"
        if oldSpec != newSpec || (!bound && before != after) {
            throw .invalid(t, name, [.init(reason: "FieldValueForbidden", field: "spec",
                detail: "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims")])
        }
        guard before != after, let was = Self.bytes(before?.stringValue), let now = Self.bytes(after?.stringValue) else { return }
        if now < was {
            throw .invalid(t, name, [.init(reason: "FieldValueForbidden", field: "spec.resources.requests.storage",
                                           detail: "Forbidden: field can not be less than status.capacity")])
        }
        let className = new[path: ["spec", "storageClassName"]]?.stringValue ?? ""
        let storageClass = BuiltIn.type(kind: "StorageClass", group: "storage.k8s.io").flatMap { object($0, nil, className) }
        if storageClass?["allowVolumeExpansion"]?.boolValue != true {
            throw APIError(code: 403, reason: "Forbidden",
                           message: "\(t.qualifiedPlural) \"\(name)\" is forbidden: only dynamically provisioned pvc can be resized and "
                               + "the storageclass that provisions the pvc must support resize",
                           details: APIError.details(name: name, group: t.group, kind: t.plural))
        }
    }

    /// A storage quantity in bytes (`50Gi`, `500M`, `1000`); nil when it is not one.
    static func bytes(_ text: String?) -> Double? {
        guard let text else { return nil }
        let units: [(String, Double)] = [("Ki", 0x1p10), ("Mi", 0x1p20), ("Gi", 0x1p30), ("Ti", 0x1p40), ("Pi", 0x1p50), ("Ei", 0x1p60),
                                         ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(text)
    }
}
