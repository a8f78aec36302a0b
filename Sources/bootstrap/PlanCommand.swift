import ArgumentParser

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "(reserved)")
    func run() async throws {
        Console.err("error: 'plan' is not available in this build")
        throw ExitCode.of(ExitStatus.usage)
    }
}
