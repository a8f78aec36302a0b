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

    /// An empty list is a mistake, not "every step": `--only "$STEPS"` with STEPS unset would run them all.
    mutating func validate() throws {
        for (flag, values) in [("--only", only), ("--skip", skip)] {
            for value in values where value.split(separator: ",", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
                let shown = value.isEmpty ? "an empty value" : "\"\(value)\", which has an empty step id"
                throw ValidationError("\(flag) got \(shown) (an unset shell variable?): name at least one step id, or leave \(flag) out")
            }
        }
    }

    var targeting: Targeting {
        Targeting(only: onlyIDs.isEmpty ? nil : Set(onlyIDs), provided: Set(skipIDs))
    }
}
