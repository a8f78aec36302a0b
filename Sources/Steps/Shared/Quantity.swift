import FoundationEssentials

/// A Kubernetes resource quantity (`100Gi`, `500M`, `1.5Gi`, `1e3`), as the API server parses it.
///
/// Grammar (k8s.io/apimachinery resource.Quantity): a signed decimal number, then one suffix:
/// binary (`Ki` .. `Ei`), decimal SI (`m`, none, `k`, `M` .. `E`) or a decimal exponent (`e3`, `E-2`).
public struct Quantity: Sendable, Hashable, CustomStringConvertible {
    /// The text as written; it goes into objects unchanged.
    public let text: String
    /// The amount in base units (bytes, for storage).
    public let value: Decimal

    public var description: String { text }

    /// Why a text is not a quantity.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    static let binary: [String: Int] = ["Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6]
    static let decimal: [String: Int] = ["m": -1, "": 0, "k": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6]

    public init(_ text: String) throws(Invalid) {
        self.text = text
        var rest = Substring(text)
        var sign: Decimal = 1
        if let first = rest.first, first == "+" || first == "-" {
            if first == "-" { sign = -1 }
            rest = rest.dropFirst()
        }
        let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let suffix = String(rest.dropFirst(number.count))
        guard number.contains(where: \.isNumber), number.filter({ $0 == "." }).count <= 1,
              let mantissa = Decimal(string: String(number), locale: Locale(identifier: "en_US_POSIX")) else {
            throw Invalid(description: "\"\(text)\" is not a quantity: it needs a number, such as 100Gi")
        }
        value = sign * mantissa * (try Self.multiplier(suffix, in: text))
    }

    /// The largest amount of bytes a quantity may name: 8 EiB, what a signed 64-bit count holds.
    public static let maxBytes = Decimal(Int64.max)

    /// Why this quantity is not a sensible number of bytes (storage size), or nil.
    public var bytesProblem: String? {
        if value <= 0 { return "\"\(text)\" must be more than zero" }
        if value > Self.maxBytes { return "\"\(text)\" is larger than 8Ei" }
        // Decimal's description is plain digits, normalized ("1.0" is "1"): a fraction shows as a
        // point. (NSDecimalRound is in the whole of Foundation, which the binary does not link.)
        if value.description.contains(".") { return "\"\(text)\" is not a whole number of bytes (\"m\" is a thousandth; did you mean \"M\" or \"Mi\"?)" }
        return nil
    }

    static func multiplier(_ suffix: String, in text: String) throws(Invalid) -> Decimal {
        if let power = binary[suffix] { return pow(Decimal(1024), power) }
        if let power = decimal[suffix] { return power < 0 ? Decimal(string: "0.001")! : pow(Decimal(1000), power) }
        if let first = suffix.first, first == "e" || first == "E",
           Scan.signedDigits(suffix.dropFirst()), let exponent = Int(suffix.dropFirst()),
           abs(exponent) <= 18 {
            return exponent < 0 ? 1 / pow(Decimal(10), -exponent) : pow(Decimal(10), exponent)
        }
        let hint = suggestion(suffix).map { " (did you mean \($0)?)" } ?? ""
        throw Invalid(description: "\"\(text)\" is not a quantity: unknown suffix \"\(suffix)\"\(hint); "
            + "use Ki, Mi, Gi, Ti (powers of 1024) or k, M, G, T (powers of 1000)")
    }

    /// `GB` is a common slip for `G` or `Gi`.
    static func suggestion(_ suffix: String) -> String? {
        let upper = suffix.uppercased()
        guard upper.count == 2, upper.hasSuffix("B"), let unit = upper.first, "KMGTPE".contains(unit) else { return nil }
        let si = unit == "K" ? "k" : String(unit)
        return "\"\(unit)i\" or \"\(si)\""
    }
}
