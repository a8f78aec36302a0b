import ArgumentParser

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
