/// Go's duration syntax (`10m`, `1h30m`, `2.5s`, `300ms`), which helm-controller's `timeout` and
/// the steps' `timeout`/`settle` parameters take: one or more decimal numbers, each with a unit
/// (ns, us, µs, ms, s, m, h). Unlike Go's time.ParseDuration, no sign and no bare `0`.
package enum GoDuration {
    static let units: [(name: String, seconds: Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]

    /// The duration `text` writes, to the millisecond; nil when it is not a Go duration.
    package static func parse(_ text: String) -> Duration? {
        var rest = Substring(text), seconds = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            let parts = number.split(separator: ".", omittingEmptySubsequences: false)
            guard !number.isEmpty, parts.count <= 2, parts.allSatisfy(Scan.digits), let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.name) && !($0.name == "m" && rest.hasPrefix("ms")) }) else { return nil }
            rest = rest.dropFirst(unit.name.count)
            seconds += value * unit.seconds
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
