import ArgumentParser
import Playbook
import Document
import Engine

/// `--recopy VOLUME`, for plan and apply: redo one data copy on purpose, as Terraform's `-replace`
/// redoes one resource. The step that holds the copy runs (as with `--force-step`), and the copy's
/// driver first keeps what it replaces in a ZFS snapshot.
struct RecopyOptions: ParsableArguments {
    @Option(name: .customLong("recopy"), help: ArgumentHelp(
        "Redo this data copy (a storage.local-volumes volume's name, or a data.migrate step's id), after a ZFS snapshot of what it replaces (repeatable).",
        valueName: "VOLUME"))
    var names: [String] = []

    /// The steps holding the named copies; an unknown name is a usage error, with a suggestion.
    func steps(in playbook: CheckedPlaybook) throws -> [String] {
        var byName: [String: String] = [:]
        for step in playbook.orderedSteps { for name in step.driver.copyNames { byName[name] = step.id } }
        return try names.map { name in
            guard let step = byName[name] else {
                let hint = suggestion(for: name, among: byName.keys.sorted()).map { " (did you mean \"\($0)\"?)" } ?? ""
                throw ValidationError("--recopy \(name): no data copy of that name in \(playbook.playbook.file)\(hint)")
            }
            return step
        }
    }

    /// The walk's options with the copies to redo and their steps forced.
    func applied(to options: WalkOptions, steps: [String]) -> WalkOptions {
        var options = options
        options.recopy = Set(names)
        options.forceSteps.formUnion(steps)
        return options
    }
}
