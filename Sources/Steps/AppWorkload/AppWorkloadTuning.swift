import Document
import Engine

// What some images need from the node that compose never had to say: settings for the filesystem
// under their data, and memory beyond a namespace's default limit. Warnings: the playbook may know
// better, but should say so.
extension AppWorkload {
    /// MariaDB/MySQL settings for a data directory on ZFS, as FAF's gitops-stack sets them
    /// (FAForever/gitops-stack infra/mariadb/templates/config.yaml lines 34 and 37, after
    /// letsencrypt/openzfs-nvme-databases): ZFS serves no O_DIRECT native AIO, and its
    /// copy-on-write records never tear a page, so the doublewrite buffer only doubles the writes.
    static let zfsInnoDBSettings = ["innodb_use_native_aio", "innodb_doublewrite"]

    /// Memory an image needs at least, from its maintainers' own deployment.
    static let memoryFloors: [(repository: String, limit: String, source: String)] = [
        ("faforever/faf-telemetry-server", "2Gi", "FAF's deployment sets a 2Gi limit that restarts it before a known memory leak "
            + "takes the node (FAForever/gitops-stack apps/faf-telemetry-server/templates/deployment.yaml line 26)"),
    ]

    static func repository(_ image: String) -> String {
        let name = image.split(separator: "@").first.map(String.init) ?? image
        guard let slash = name.lastIndex(of: "/") ?? name.indices.first, let colon = name[slash...].lastIndex(of: ":") else { return name }
        return String(name[..<colon])
    }

    static func checkTuning(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        checkInnoDBOnZFS(p, context) + checkMemoryFloor(p, context)
    }

    /// A MariaDB or MySQL data directory on a ZFS volume without FAF's InnoDB settings.
    static func checkInnoDBOnZFS(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        let name = repository(p.image).split(separator: "/").last.map(String.init) ?? ""
        guard ["mariadb", "mysql"].contains(name) else { return [] }
        let zfsClaims = context.steps(of: LocalVolumes.self).filter { $0.parameters.backendChoice == .zfs }
            .flatMap { $0.parameters.volumes.filter { $0.namespace == p.namespace }.map(\.claimName) }
        guard let index = (p.volumes ?? []).firstIndex(where: { $0.mountPath.hasPrefix("/var/lib/mysql") && zfsClaims.contains($0.claim) })
        else { return [] }
        // What mysqld reads: its configuration files and its command line (the image's entrypoint
        // hands options to mysqld), `-` and `_` being one in option names.
        var text = (p.args ?? []).joined(separator: "\n")
        for (_, file) in p.files ?? [:] { text += "\n" + (file.from?.content ?? file.content?.stringValue ?? "") }
        let settings = Set(text.replacing("-", with: "_").split(separator: "\n").map { line in
            line.filter { !$0.isWhitespace }.trimmingPrefix("__")
        }.map(String.init))
        let missing = zfsInnoDBSettings.filter { !settings.contains("\($0)=0") && !settings.contains("\($0)=OFF") }
        guard !missing.isEmpty else { return [] }
        return [context.warning("\(p.image) keeps its data on ZFS (claim \(p.volumes![index].claim)) without "
            + missing.map { "\($0) = 0" }.joined(separator: " and ") + ": ZFS offers InnoDB no native AIO and never tears a page, "
            + "so FAF sets both off (FAForever/gitops-stack infra/mariadb/templates/config.yaml); add them in a [mariadb] "
            + "section of a file under /etc/mysql/mariadb.conf.d", at: "volumes", String(index), "claim")]
    }

    /// A workload whose memory limit (its own, or its namespace's default) is below what its
    /// image is known to need.
    static func checkMemoryFloor(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        guard let floor = memoryFloors.first(where: { $0.repository == repository(p.image) }), let needed = try? Quantity(floor.limit) else { return [] }
        let fallback = context.steps(of: NamespacesStep.self).filter { $0.parameters.names.contains(p.namespace) }
            .compactMap { $0.parameters.defaultResources?.limits?.memory }.first
        guard let text = p.resources?.limits?.memory ?? fallback, let limit = try? Quantity(text), limit.value < needed.value else { return [] }
        let whose = p.resources?.limits?.memory == nil ? "namespace \(p.namespace)'s default memory limit \(text)" : "memory limit \(text)"
        return [context.warning("\(p.image) gets the \(whose), less than the \(floor.limit) it needs: \(floor.source); "
            + "set resources.limits.memory", at: p.resources == nil ? "image" : "resources")]
    }
}
