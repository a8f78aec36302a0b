import ArgumentParser
import Engine

/// `--only` and `--skip`, shared by plan and apply.
struct TargetingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run only these steps (comma-separated, repeatable); their needs must be recorded, selected or skipped.",
                               valueName: "ID[,ID...]"))
    var only: [String] = []

    @Option(help: ArgumentHelp("Do not run these steps, and take them as provided by the environment (e.g. --skip k3s against a k3d cluster).",
                               valueName: "ID[,ID...]"))
    var skip: [String] = []

    var onlyIDs: [String] { only.flatMap { $0.split(separator: ",").map(String.init) } }
    var skipIDs: [String] { skip.flatMap { $0.split(separator: ",").map(String.init) } }

    var targeting: Targeting {
        Targeting(only: onlyIDs.isEmpty ? nil : Set(onlyIDs), provided: Set(skipIDs))
    }
}
