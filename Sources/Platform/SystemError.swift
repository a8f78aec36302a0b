#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FoundationEssentials

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

extension SystemError {
    /// What went wrong, in errno's words, for an error FoundationEssentials' FileManager or Data
    /// threw (a CocoaError around a POSIXError): `No such file or directory`, not the error's dump.
    /// The whole of Foundation's `localizedDescription` did this; the binary links Essentials only.
    public static func reason(of error: any Error) -> String {
        if let error = error as? SystemError { return error.reason }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        if let cocoa = error as? CocoaError, let posix = cocoa.underlying as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "No such file or directory"
            case .fileReadNoPermission, .fileWriteNoPermission: return "Permission denied"
            case .fileWriteFileExists: return "File exists"
            default: break
            }
        }
        return "\(error)"
    }
}
