#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call: which call, on what, and errno's text.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    /// The call that failed (`open`, `write`, `rename`, ...), so callers can word their own message.
    public var call: String
    /// The path or address the call was about.
    public var subject: String
    public var code: Int32
    /// strerror's text for ``code``.
    public var reason: String

    public init(call: String, subject: String, code: Int32) {
        self.call = call
        self.subject = subject
        self.code = code
        reason = String(cString: strerror(code))
    }

    /// The error errno describes now; call it straight after the failed call.
    static func last(_ call: String, _ subject: String) -> SystemError {
        SystemError(call: call, subject: subject, code: errno)
    }

    public var description: String { "\(call) \(subject): \(reason)" }
}
