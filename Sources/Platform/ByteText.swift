/// Sizes and durations as operators read them in progress lines and plans.
public enum ByteText {
    /// `512 B`, `1.2 GiB`
    public static func binary(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(count), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) B" : "\(NumberText.fixed(value, digits: 1)) \(units[unit])"
    }

    /// `0:34`, `12:05`, `3:02:10`
    public static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? "\(h):\(NumberText.twoDigits(m)):\(NumberText.twoDigits(s))" : "\(m):\(NumberText.twoDigits(s))"
    }
}
