import Playbook
import Engine
import ArgumentParser

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a playbook and its secrets without touching the node or the cluster.",
        discussion: "Reports every problem found as file:line:col: error: message, then exits 65.")

    @OptionGroup var input: PlaybookInput

    func run() throws {
        // validate never touches a node, so loose secrets-file permissions only warn.
        let checked = try input.load(permissions: .warn)
        let count = checked.steps.count
        Console.out("\(input.playbook): ok (\(count) step\(count == 1 ? "" : "s"))")
    }
}
