import ArgumentParser

struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "emulator", abstract: "(reserved)")
    func run() async throws {
        Console.err("error: 'emulator' is not available in this build")
        throw ExitCode.of(ExitStatus.usage)
    }
}
