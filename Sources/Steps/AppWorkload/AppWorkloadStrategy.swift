// When a Deployment's pods must not overlap. RollingUpdate, the default, starts the new pod before
// the old one stops (maxSurge 25% rounds up to one pod, maxUnavailable 25% down to none:
// pkg/controller/deployment/util/deployment_util.go, ResolveFenceposts); whatever only one pod may
// hold at a time then has two holders. This is the one place that rule lives: validation, the
// objects and the importer all ask it, and a new reason (a host port, say) is added here.
extension AppWorkload {
    /// Why a Deployment with these mounts must use `strategy: Recreate`; empty when it may roll.
    /// A writable claim: the old and the new pod would run two processes on one data directory,
    /// which no database survives (a StatefulSet stops the old pod first and is not asked).
    public static func recreateReasons(writableClaims: [String]) -> [String] {
        var seen: Set<String> = []
        let claims = writableClaims.filter { seen.insert($0).inserted }
        guard !claims.isEmpty else { return [] }
        return ["its writable claim\(claims.count == 1 ? "" : "s") \(claims.joined(separator: ", ")) would have two writers at once "
            + "(two processes on one data directory)"]
    }

    /// ``recreateReasons(writableClaims:)`` for this step; empty for a StatefulSet or a Job.
    var recreateReasons: [String] {
        guard p.kindChoice == .Deployment else { return [] }
        return Self.recreateReasons(writableClaims: (p.volumes ?? []).filter { $0.readOnly != true }.map(\.claim))
    }
}
