import Platform

/// Reads a whole file as UTF-8 with POSIX calls, so failures carry the system's own reason.
public enum TextFile {
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    public static func read(_ path: String) throws(ReadError) -> String {
        do {
            return String(decoding: try Files.read(path), as: UTF8.self)
        } catch {
            throw ReadError(reason: error.reason)
        }
    }
}
