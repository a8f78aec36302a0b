import ArgumentParser
import Engine
import Host

/// Exit codes, sysexits-style where one fits (README.md lists them).
enum ExitStatus {
    static let success: Int32 = 0
    /// A step failed, or a runtime error (API unreachable, timeout).
    static let failure: Int32 = 1
    /// `plan --detailed-exitcode` found changes.
    static let changes: Int32 = 2
    /// EX_USAGE: wrong command-line usage.
    static let usage: Int32 = 64
    /// EX_DATAERR: invalid playbook or secrets.
    static let invalidInput: Int32 = 65
    /// EX_NOINPUT: the playbook or secrets file cannot be read.
    static let noInput: Int32 = 66
    /// EX_TEMPFAIL: another apply holds the lock; try again later.
    static let locked: Int32 = 75

    static let help = """
        EXIT CODES:
          0   success (plan: no changes, or changes without --detailed-exitcode)
          1   a step failed, or a runtime error (API unreachable, timeout)
          2   plan --detailed-exitcode: changes to apply
          64  usage error
          65  invalid playbook or secrets file
          66  playbook or secrets file cannot be read
          75  another apply holds the lock; retry later
        """
}

extension ExitCode {
    static func of(_ status: Int32) -> ExitCode { ExitCode(status) }
}

extension ExitStatus {
    /// The exit status of an error that ends a command's run: the one place runtime errors map
    /// to exit codes. `--only` without a step's needs is a usage error; a lock another run holds
    /// is EX_TEMPFAIL; the rest (a step, the API server, the host) is a failure.
    static func of(_ error: any Error) -> Int32 {
        switch error {
        case is UnmetNeeds: usage
        case is RunLease.Held, is RunLock.Held: locked
        default: failure
        }
    }

    /// Reports `error` once (`error: …` on stderr, and the JSON document with `--output json`) and
    /// returns the exit code the command throws.
    static func failing(_ error: any Error, playbook: String, json: Bool) -> ExitCode {
        Console.fail(error, playbook: playbook, json: json)
        return ExitCode.of(of(error))
    }
}
