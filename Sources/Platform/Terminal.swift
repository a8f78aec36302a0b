#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

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
