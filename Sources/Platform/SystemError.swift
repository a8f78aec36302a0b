#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
#error("Linux only: Platform calls glibc or musl")
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

extension SystemError {
    /// The failure as a user reads it, like FileManager's were: `cannot write FILE: reason` for a
    /// file call; any other call (a socket's) as ``description``.
    public var fileOperationMessage: String {
        let operation: String
        switch call {
        case "open": operation = "open"
        case "read", "readlink", "opendir", "fstat": operation = "read"
        case "stat", "lstat", "access": operation = "access"
        case "mkdir", "rmdir", "unlink", "write", "rename", "fchmod", "fchown", "fsync", "chmod", "lchown": operation = "write"
        default: return description
        }
        return "cannot \(operation) \(subject): \(reason)"
    }

    /// An error as a user reads it. Platform's, FileManager's and Data's file errors become `cannot
    /// write FILE: reason` (the operation and the file), never their `Error Domain=NSCocoaErrorDomain …` dump;
    /// every other error describes itself.
    public static func message(of error: any Error) -> String {
        if let error = error as? SystemError { return error.fileOperationMessage }
        guard let cocoa = error as? CocoaError else {
            if error is POSIXError { return reason(of: error) }
            return "\(error)"
        }
        let file = cocoa.filePath ?? cocoa.url?.path ?? "a file"
        return "cannot \(operation(of: cocoa.code)) \(file): \(reason(of: error))"
    }

    private static func operation(of code: CocoaError.Code) -> String {
        switch code {
        case .fileReadNoSuchFile, .fileReadNoPermission, .fileReadCorruptFile, .fileReadUnknown,
             .fileReadInvalidFileName, .fileReadTooLarge, .fileReadUnknownStringEncoding,
             .fileReadInapplicableStringEncoding:
            return "read"
        case .fileWriteNoPermission, .fileWriteOutOfSpace, .fileWriteFileExists, .fileWriteUnknown,
             .fileWriteInvalidFileName, .fileWriteVolumeReadOnly, .fileWriteInapplicableStringEncoding:
            return "write"
        default:
            return "access"
        }
    }
}

extension SystemError {
    /// errno's ECONNREFUSED, for callers that see errno through another library (curl).
    public static let connectionRefused = Int(ECONNREFUSED)
}
