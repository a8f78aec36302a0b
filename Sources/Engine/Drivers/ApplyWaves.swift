import Document

/// The order a step's objects are applied in: waves applied one after the other, the objects of a
/// wave concurrently. Only what the API server or a controller needs first goes first:
///
/// 1. CustomResourceDefinitions and Namespaces: the server refuses a custom resource before its
///    CRD, and an object in a namespace before the namespace (`kubectl apply -f DIR` orders the
///    same kinds first for the same reason).
/// 2. Everything else except what starts pods and custom resources of a CRD in wave 1: the
///    ConfigMaps, Secrets, ServiceAccounts, claims and RBAC a pod refers to, Services.
/// 3. Workloads (a pod whose ServiceAccount is missing is refused, and its controller retries it
///    only after a back-off) and custom resources of the step's own CRDs.
///
/// Within a wave the playbook's order is kept, so a one-object-at-a-time apply (`parallel` 1)
/// applies exactly in the order written.
public enum ApplyWaves {
    /// Kinds whose objects make the cluster start pods.
    static let workloadKinds: Set<String> = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"]

    /// How many objects of one wave are applied at once: the transport's connections
    /// (``CurlTransport``'s default of 4).
    public static let parallel = 4

    /// `objects` split into waves, each in the order given; empty waves left out.
    public static func split(_ objects: [Value]) -> [[Value]] {
        // The groups this step's own CRDs define: their custom resources wait for wave 1.
        let definedGroups = Set(objects.compactMap { object -> String? in
            guard object["kind"]?.stringValue == "CustomResourceDefinition" else { return nil }
            return object[path: ["spec", "group"]]?.stringValue
        })
        var waves: [[Value]] = [[], [], []]
        for object in objects { waves[wave(of: object, definedGroups: definedGroups)].append(object) }
        return waves.filter { !$0.isEmpty }
    }

    static func wave(of object: Value, definedGroups: Set<String>) -> Int {
        let kind = object["kind"]?.stringValue ?? ""
        if kind == "CustomResourceDefinition" || kind == "Namespace" { return 0 }
        if workloadKinds.contains(kind) { return 2 }
        let group = object["apiVersion"]?.stringValue.flatMap { $0.contains("/") ? String($0.split(separator: "/")[0]) : nil }
        if let group, definedGroups.contains(group) { return 2 }
        return 1
    }
}
