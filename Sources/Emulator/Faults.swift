/// Injected faults with their remaining counts; a seeded generator decides the probabilistic ones.
struct FaultTable {
    struct Entry {
        var fault: Fault
        var remaining: Int?
        var rng: SplitMix64
    }
    var entries: [Entry] = []

    mutating func add(_ fault: Fault) {
        entries.append(Entry(fault: fault, remaining: fault.times, rng: SplitMix64(seed: fault.seed)))
    }

    /// The action for this request, consuming one use of the fault that fires.
    mutating func match(method: String, path: String) -> Fault.Action? {
        for index in entries.indices {
            let fault = entries[index].fault
            if let m = fault.method, m.uppercased() != method { continue }
            if let p = fault.pathPrefix, !path.hasPrefix(p) { continue }
            if let remaining = entries[index].remaining, remaining <= 0 { continue }
            if fault.probability < 1.0 {
                let draw = Double(entries[index].rng.next() >> 11) / Double(1 << 53)
                if draw >= fault.probability { continue }
            }
            if let remaining = entries[index].remaining { entries[index].remaining = remaining - 1 }
            return fault.action
        }
        return nil
    }
}

/// A tiny reproducible generator (Steele et al.); enough for fault draws and generated names.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
