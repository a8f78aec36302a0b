#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whether another process still exists.
public enum Processes {
    /// True only when `pid` is certainly gone (kill(pid, 0) says ESRCH); a process of another user is not.
    public static func isGone(_ pid: Int32) -> Bool {
        kill(pid, 0) != 0 && errno == ESRCH
    }
}
