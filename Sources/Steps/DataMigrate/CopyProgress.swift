import Platform
import Engine
import FoundationEssentials
import Host

/// How far a copy is: what the staging directory holds of what the source held when measured.
struct CopyProgress: Sendable {
    var total: TreeSummary
    var done: TreeSummary
    /// Since the copy started.
    var elapsed: Duration
    /// Bytes already in place when the copy (re)started: not part of this run's rate.
    var already: Int64 = 0

    /// `1.2 GiB of 4.0 GiB (30%), 85.3 MiB/s, ETA 0:34, 1204 of 5000 entries`: what matters most
    /// first, so a narrow terminal that cuts the end keeps bytes, percentage, rate and ETA.
    var description: String {
        var text = "\(Self.bytes(done.bytes)) of \(Self.bytes(total.bytes))"
        if total.bytes > 0 { text += " (\(min(100, Int(Double(done.bytes) * 100 / Double(total.bytes))))%)" }
        let entries = ", \(done.entries) of \(total.entries) entries"
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard seconds > 0 else { return text + entries }
        let rate = Double(max(0, done.bytes - already)) / seconds
        text += ", \(Self.bytes(Int64(rate)))/s"
        if rate > 0, total.bytes > done.bytes {
            text += ", ETA \(Self.clock(Double(total.bytes - done.bytes) / rate))"
        }
        return text + entries
    }

    static func bytes(_ count: Int64) -> String { ByteText.binary(count) }

    /// `0:34`, `12:05`, `3:02:10`
    static func clock(_ seconds: Double) -> String { ByteText.clock(seconds) }
}

extension DataMigrate {
    /// How often a running copy is measured and reported.
    static let progressInterval: Duration = .seconds(2)

    /// Runs `copy` while measuring the staging directory every ``progressInterval`` and reporting
    /// bytes and entries of `total`, with rate and ETA. The measuring only reads metadata.
    func reportingProgress<T: Sendable>(of total: TreeSummary, from already: TreeSummary, _ context: StepContext,
                                        _ copy: @Sendable () async throws -> T) async throws -> T {
        let host = context.host, staging = self.staging, from = parameters.from, to = parameters.to
        let started = ContinuousClock.now
        let reporter = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.progressInterval)
                if Task.isCancelled { return }
                // The tree changes under the walk: a failed measurement is skipped, not reported.
                guard let done = try? await host.summarize(staging), !Task.isCancelled else { continue }
                let progress = CopyProgress(total: total, done: done, elapsed: ContinuousClock.now - started, already: already.bytes)
                context.progress("copying \(from) to \(to): \(progress.description)")
            }
        }
        defer { reporter.cancel() }
        return try await copy()
    }
}
