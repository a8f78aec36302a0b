import Engine
import FoundationEssentials
import Host
import Platform

// What plan says about a copy to size the downtime window: bytes and entries, and a duration at
// the source's read rate, measured now with dd on the largest file (up to 256 MiB, with O_DIRECT
// so the page cache does not flatter a second plan). Reading is the usual bound of a local copy
// onto ZFS with compression; a slower target makes the real copy slower, which the progress line
// (rate and ETA, every 2 s) shows as it runs.
extension DataMigrate {
    static let sampleMiB = 256

    func estimate(_ host: any HostSystem) async throws -> CopyEstimate {
        let summary = try await measureSource(host)
        guard summary.bytes > 0, let sample = try largestFile(host) else {
            return CopyEstimate(bytes: summary.bytes, entries: summary.entries, rate: nil, rateSource: "nothing to read")
        }
        let count = String(min(Self.sampleMiB, Int((sample.size + (1 << 20) - 1) >> 20)))
        for direct in [true, false] {
            // dd takes its file inside `if=`, which is not a word the host maps: a shell passes it on.
            let script = "exec dd if=\"$1\" of=/dev/null bs=1M count=\(count)\(direct ? " iflag=direct" : "")"
            let argv = ["sh", "-c", script, "dd", sample.path]
            let started = ContinuousClock.now
            guard let result = try? await host.run(Command(argv, changesHost: false, hostPaths: [4])), result.status == 0 else { continue }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let read = min(sample.size, Int64(Int(count)! << 20))
            guard seconds > 0 else { continue }
            return CopyEstimate(bytes: summary.bytes, entries: summary.entries, rate: Double(read) / seconds,
                                rateSource: "dd read \(CopyProgress.bytes(read)) of \(sample.path)\(direct ? " (O_DIRECT)" : "") just now")
        }
        return CopyEstimate(bytes: summary.bytes, entries: summary.entries, rate: nil, rateSource: "dd could not read the source")
    }

    /// The source's largest regular file among the first thousand entries met (a cheap sample).
    func largestFile(_ host: any HostSystem) throws -> (path: String, size: Int64)? {
        let top = try sourceStatus(host)
        if top.kind == .file { return (parameters.from, top.size) }
        var best: (String, Int64)?
        var seen = 0
        var pending = [parameters.from]
        while let directory = pending.popLast(), seen < 1000 {
            for name in try host.list(directory) {
                seen += 1
                let path = join(directory, name)
                guard let status = try host.status(path) else { continue }
                if status.kind == .directory { pending.append(path) }
                if status.kind == .file, status.size > (best?.1 ?? 0) { best = (path, status.size) }
            }
        }
        return best
    }
}
