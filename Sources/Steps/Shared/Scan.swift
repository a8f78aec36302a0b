/// Character-class checks for parameter syntax.
///
/// Hand-written because Swift `Regex` literals are parsed again on every evaluation (a third of
/// validation time) and cannot be cached in a static under strict concurrency.
enum Scan {
    typealias Class = @Sendable (UInt8) -> Bool

    static let digit: Class = { (0x30...0x39).contains($0) }
    static let lower: Class = { (0x61...0x7A).contains($0) }
    static let upper: Class = { (0x41...0x5A).contains($0) }
    static let lowerAlnum: Class = { lower($0) || digit($0) }
    static let alnum: Class = { lower($0) || upper($0) || digit($0) }

    /// A class of `base` plus the listed ASCII characters. A 128-bit mask, not a Set: classes are
    /// built in every check of every name, and a Set allocates and hashes each time.
    static func with(_ base: @escaping Class, _ extra: String) -> Class {
        var lowBits: UInt64 = 0, highBits: UInt64 = 0
        for byte in extra.utf8 {
            precondition(byte < 128, "Scan.with takes ASCII characters")
            if byte < 64 { lowBits |= 1 << byte } else { highBits |= 1 << (byte - 64) }
        }
        let low = lowBits, high = highBits
        return { byte in base(byte) || (byte < 64 ? low >> byte & 1 == 1 : byte < 128 && high >> (byte - 64) & 1 == 1) }
    }

    /// Non-empty; first byte in `first`, last in `last` (default `rest`), the others in `rest`.
    static func word(_ s: some StringProtocol, first: Class, rest: Class, last: Class? = nil) -> Bool {
        let bytes = Array(s.utf8)
        guard let head = bytes.first, first(head) else { return false }
        if bytes.count == 1 { return last.map { $0(head) } ?? true }
        let tail = bytes[bytes.count - 1]
        guard last.map({ $0(tail) }) ?? rest(tail) else { return false }
        return bytes.dropFirst().dropLast().allSatisfy { rest($0) }
    }

    /// One or more ASCII digits.
    static func digits(_ s: some StringProtocol) -> Bool { !s.isEmpty && s.utf8.allSatisfy { digit($0) } }

    /// Digits with an optional sign.
    static func signedDigits(_ s: some StringProtocol) -> Bool {
        guard let first = s.first else { return false }
        return first == "+" || first == "-" ? digits(s.dropFirst()) : digits(s)
    }

    /// `MAJOR.MINOR.PATCH`, optionally `v`-prefixed, with optional `-pre` and `+build` parts.
    static func isSemver(_ s: String) -> Bool {
        var text = Substring(s)
        if text.hasPrefix("v") { text = text.dropFirst() }
        let identifier = with(alnum, ".-")
        if let plus = text.firstIndex(of: "+") {
            guard word(text[text.index(after: plus)...], first: identifier, rest: identifier) else { return false }
            text = text[..<plus]
        }
        if let dash = text.firstIndex(of: "-") {
            guard word(text[text.index(after: dash)...], first: identifier, rest: identifier) else { return false }
            text = text[..<dash]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy(digits)
    }
}
