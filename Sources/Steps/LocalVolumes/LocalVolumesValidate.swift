import Document
import Engine
import Kube

extension LocalVolumes {
    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var diagnostics = ParameterRules.checkHostPath(p.dataRoot, context, at: "dataRoot")
        let rootIsUsable = diagnostics.isEmpty
        if p.dataRoot == "/" { diagnostics.append(context.error("dataRoot must not be the host root", at: "dataRoot")) }
        if !KubeNames.isDNSSubdomain(p.storageClassName) {
            diagnostics.append(context.error("storageClass \"\(p.storageClassName)\" is not a valid name (lower-case DNS name)", at: "storageClass"))
        }
        if p.backendChoice == .zfs && p.dataset == nil {
            diagnostics.append(context.error("dataset is required for the zfs backend: the parent of each volume's dataset, such as tank/faf", at: "dataset"))
        }
        diagnostics += checkNodeSelector(p, context)
        if p.volumes.isEmpty { diagnostics.append(context.error("volumes must not be empty", at: "volumes")) }
        var names: [String: String] = [:], claims: [String: String] = [:], folders: [String: String] = [:]
        let marksByVolume = volumeMarks(context.marks)
        for (index, volume) in p.volumes.enumerated() {
            let at = String(index)
            var volumeDiagnostics = checkVolume(volume, context, at)
            if let other = names.updateValue(volume.name, forKey: volume.name) {
                volumeDiagnostics.append(context.error("two volumes are named \"\(other)\"; PersistentVolume names are cluster-wide", at: "volumes", at, "name"))
            }
            let claim = "\(volume.namespace)/\(volume.claimName)"
            if let other = claims.updateValue(volume.name, forKey: claim) {
                volumeDiagnostics.append(context.error("volumes \"\(other)\" and \"\(volume.name)\" both use claim \(claim)", at: "volumes", at, "claim"))
            }
            if let other = folders.updateValue(volume.name, forKey: volume.folderName) {
                volumeDiagnostics.append(context.error("volumes \"\(other)\" and \"\(volume.name)\" both use the path \(join(p.dataRoot, volume.folderName))", at: "volumes", at, "folder"))
            }
            // The reused drivers check owner, mode, compression and the migration only on sound paths.
            if rootIsUsable && volumeDiagnostics.isEmpty {
                let driver = LocalVolumes(id: context.stepID, parameters: p)
                let datasetContext = volumeContext(context, index, marksByVolume[index] ?? [:], renames: ["mountpoint": "volumes.\(at).folder", "name": "dataset", "backend": "backend"])
                volumeDiagnostics += ZFSDataset.validate(driver.dataset(volume).parameters, datasetContext)
                if let migration = driver.migration(volume) {
                    let migrationContext = volumeContext(context, index, marksByVolume[index] ?? [:], renames: ["from": "volumes.\(at).migrateFrom", "to": "volumes.\(at).folder",
                                                                                 "owner": "volumes.\(at).migrateOwner", "fileMode": "volumes.\(at).migrateFileMode",
                                                                                 "dataset": "dataset"])
                    volumeDiagnostics += DataMigrate.validate(migration.parameters, migrationContext)
                }
            }
            diagnostics += volumeDiagnostics
        }
        return diagnostics
    }

    static func checkVolume(_ volume: Volume, _ context: ValidationContext, _ at: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if !KubeNames.isDNSLabel(volume.name) {
            diagnostics.append(context.error("volume name \"\(volume.name)\" is not a valid name (lowercase letters, digits and '-', at most 63)", at: "volumes", at, "name"))
        }
        if !KubeNames.isDNSLabel(volume.namespace) {
            diagnostics.append(context.error("namespace \"\(volume.namespace)\" is not a valid name", at: "volumes", at, "namespace"))
        }
        // A default claim name is valid whenever the volume name is.
        if let claim = volume.claim, !KubeNames.isDNSSubdomain(claim) {
            diagnostics.append(context.error("claim \"\(claim)\" is not a valid name (lower-case DNS name)", at: "volumes", at, "claim"))
        }
        do {
            let size = try Quantity(volume.size)
            if let problem = size.bytesProblem { diagnostics.append(context.error("size \(problem)", at: "volumes", at, "size")) }
        } catch {
            diagnostics.append(context.error("size \(error)", at: "volumes", at, "size"))
        }
        if !Scan.word(volume.folderName, first: Scan.with(Scan.alnum, "_"), rest: Scan.with(Scan.alnum, "_.-")) || volume.folderName.allSatisfy({ $0 == "." }) {
            diagnostics.append(context.error("folder \"\(volume.folderName)\" must be one directory name under dataRoot (no \"/\" or \"..\")", at: "volumes", at, "folder"))
        }
        if !accessModes.contains(volume.accessModeName) {
            let hint = suggestion(for: volume.accessModeName, among: accessModes).map { " (did you mean \"\($0)\"?)" } ?? ""
            diagnostics.append(context.error("accessMode \"\(volume.accessModeName)\" is not one of \(accessModes.joined(separator: ", "))\(hint)", at: "volumes", at, "accessMode"))
        }
        if let from = volume.migrateFrom {
            diagnostics += ParameterRules.checkHostPath(from, context, at: "volumes", at, "migrateFrom")
        }
        return diagnostics
    }

    /// A context for a reused driver's validation: its parameter names point at this volume's marks
    /// (`marks`, from ``volumeMarks(_:)``).
    static func volumeContext(_ context: ValidationContext, _ index: Int, _ marks: [String: Mark], renames: [String: String]) -> ValidationContext {
        var marks = marks
        for (name, path) in renames { marks[name] = context.mark(path.split(separator: ".").map(String.init)) }
        return ValidationContext(stepID: context.stepID, marks: marks, fallback: context.mark(["volumes", String(index)]), steps: context.steps,
                                 skipped: context.skipped, lists: context.lists)
    }

    /// The step's marks under `volumes.N.`, by N, with that prefix taken off: sorted out once for
    /// all volumes, since looking through every mark of the step again for each volume cost FAF's
    /// validate 3%.
    static func volumeMarks(_ marks: [String: Mark]) -> [Int: [String: Mark]] {
        var byVolume: [Int: [String: Mark]] = [:]
        for (key, mark) in marks where key.hasPrefix("volumes.") {
            let rest = key.dropFirst("volumes.".count)
            guard let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]) else { continue }
            byVolume[index, default: [:]][String(rest[rest.index(after: dot)...])] = mark
        }
        return byVolume
    }

    /// The node label key that pins volumes to the node holding their data, as `bootstrap import`
    /// writes it (FAF's storage nodes are labelled `storage-id: main-01`).
    public static let storageLabelKey = "storage-id"

    /// The labels must be valid, and the node must get them: from k3s.install or kube.node-labels.
    static func checkNodeSelector(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        guard !p.nodeSelector.isEmpty else {
            return [context.error("nodeSelector needs the storage node's label (such as \(storageLabelKey): main-01): local volumes must be pinned to the node holding their data", at: "nodeSelector")]
        }
        var diagnostics: [Diagnostic] = []
        let installs = context.steps(of: K3sInstall.self)
        let labellers = installs.map { (id: $0.id, type: K3sInstall.type, labels: $0.parameters.nodeLabels ?? [:]) }
            + context.steps(of: NodeLabels.self).map { (id: $0.id, type: NodeLabels.type, labels: $0.parameters.labels) }
        for key in p.nodeSelector.keys.sorted() {
            let value = p.nodeSelector[key]!
            if let problem = ParameterRules.labelProblem(key: key, value: value) {
                diagnostics.append(context.error(problem, at: "nodeSelector", key))
                continue
            }
            let set = labellers.filter { $0.labels[key] == value }
            let conflicting = labellers.filter { $0.labels[key].map { $0 != value } ?? false }
            if set.isEmpty, let other = conflicting.first {
                let otherValue = other.labels[key] ?? ""
                diagnostics.append(context.error("step \"\(other.id)\" (\(other.type)) labels the node \(key)=\(otherValue), but these volumes are pinned to \(key)=\(value): no pod could use them", at: "nodeSelector", key))
            } else if set.isEmpty, let install = installs.first {
                diagnostics.append(context.warning("step \"\(install.id)\" (k3s.install) does not label the node \(key)=\(value) in nodeLabels, nor does a kube.node-labels step: pods using these volumes stay Pending until the node has that label", at: "nodeSelector", key))
            }
        }
        return diagnostics
    }
}
