import ArgumentParser

/// The `bootstrap` command: a fresh node to a running k3s cluster, from a declarative playbook.
struct Bootstrap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "Take a fresh Linux node to a running single-node k3s cluster and move a docker-compose stack onto it.",
        discussion: """
            A playbook is a graph of steps. `plan` shows what would change without changing anything; \
            `apply` makes it so and records each completed step in Kubernetes annotations, so a re-run \
            skips what is done and redoes what is not.

            \(ExitStatus.help)
            """,
        version: BuildInfo.line,
        subcommands: [
            ValidateCommand.self, GraphCommand.self, PlanCommand.self, ApplyCommand.self,
            StatusCommand.self, RollbackCommand.self, VerifyCommand.self, KubeconfigCommand.self, EmulatorCommand.self, ImportCommand.self,
        ]
    )
}
