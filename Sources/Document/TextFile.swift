import Platform

/// Reads a whole file as UTF-8 with POSIX calls, so failures carry the system's own reason.
///
/// Only regular files and pipes (`--secrets <(pass show faf)`) are read, at most
/// ``Limits/maxFileBytes`` of them: a device such as `/dev/zero` would be read until memory runs
/// out, a directory is no file. The bytes must be valid UTF-8: nothing is silently replaced.
public enum TextFile {
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var reason: String
        /// Where the problem is, for content errors (invalid UTF-8); nil when the file cannot be read at all.
        public var line: Int?
        public var column: Int?
        /// True when the file could be read but its content is refused (invalid UTF-8, too large).
        public var isContent: Bool
        public var description: String { reason }

        public init(reason: String, line: Int? = nil, column: Int? = nil, isContent: Bool = false) {
            self.reason = reason
            self.line = line
            self.column = column
            self.isContent = isContent
        }

        /// Where to point a diagnostic about this error in `file`.
        public func mark(in file: String) -> Mark { Mark(file: file, line: line ?? 1, column: column ?? 1) }
    }

    public static func read(_ path: String, maxBytes: Int = Limits.maxFileBytes) throws(ReadError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try Files.read(path, maxBytes: maxBytes)
        } catch let refusal as Files.Refusal {
            switch refusal {
            case .directory: throw ReadError(reason: "is a directory")
            case .notRegular: throw ReadError(reason: "not a regular file")
            case .tooLarge: throw ReadError(reason: "larger than \(maxBytes / 1_048_576) MiB", isContent: true)
            }
        } catch let error as SystemError {
            throw ReadError(reason: error.reason)
        } catch {
            throw ReadError(reason: SystemError.message(of: error))
        }
        if let bad = firstInvalidUTF8(bytes) {
            var line = 1, lineStart = 0
            for i in 0..<bad where bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
            // Columns count characters, as libyaml's do: continuation bytes do not start one.
            let column = 1 + bytes[lineStart..<bad].filter { $0 & 0xC0 != 0x80 }.count
            throw ReadError(reason: "not valid UTF-8", line: line, column: column, isContent: true)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The offset of the first byte that is not part of a well-formed UTF-8 sequence, or nil.
    public static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return i
            }
            guard i + length <= n else { return i }
            for k in 1..<length {
                let c = bytes[i + k]
                let lo: UInt8 = k == 1 ? lower : 0x80, hi: UInt8 = k == 1 ? upper : 0xBF
                if c < lo || c > hi { return i }
            }
            i += length
        }
        return nil
    }
}
