import ArgumentParser

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "(reserved)")
    func run() async throws {
        Console.err("error: 'status' is not available in this build")
        throw ExitCode.of(ExitStatus.usage)
    }
}
