import ArgumentParser

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "(reserved)")
    func run() async throws {
        Console.err("error: 'apply' is not available in this build")
        throw ExitCode.of(ExitStatus.usage)
    }
}
