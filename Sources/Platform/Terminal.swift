#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
#endif
import Synchronization

/// What the terminal on a descriptor is like.
public enum Terminal {
    public static let standardError: Int32 = 2
    public static let standardInput: Int32 = 0
    public static let standardOutput: Int32 = 1

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The terminal's width in columns (TIOCGWINSZ), or nil when `fd` is no terminal or does not say.
    public static func columns(_ fd: Int32) -> Int? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}

/// The terminal lent to a child process that asks its questions there (an interactive credential
/// plugin): while it is out, the live progress display draws nothing, and afterwards it starts a
/// new block below what the child wrote instead of erasing rows that are no longer its own.
public enum TerminalLoan {
    private static let state = Mutex<(lent: Int, loans: Int)>((0, 0))

    /// Runs `body` with the terminal lent out.
    public static func lend<T>(_ body: () throws -> T) rethrows -> T {
        state.withLock { $0.lent += 1; $0.loans += 1 }
        defer { state.withLock { $0.lent -= 1 } }
        return try body()
    }

    /// Whether the terminal is lent out now, and how many loans there have been (a change means
    /// something else wrote to the terminal in between).
    public static var current: (lent: Bool, loans: Int) { state.withLock { ($0.lent > 0, $0.loans) } }
}
