import Document
import Engine
import FoundationEssentials
import Host

extension DataMigrate {
    func migrate(_ context: StepContext) async throws {
        let host = context.host
        var phase = try await inspect(host)
        phase = try await clearForRecopy(phase, context)
        let expected: TreeSummary
        switch phase {
        case .done(let snapshotMissing):
            if snapshotMissing { try await snapshot(host) }
            return
        case .finishing:
            try host.removeTree(copied)
            try await snapshot(host)
            return
        case .targetMissing: throw StepError("the target \(parameters.to) does not exist; create it first (zfs.dataset)")
        case .clearing: preconditionFailure("cleared above")
        case .moving: expected = try await measureSource(host)
        case .copying(let resuming):
            expected = try await copy(resuming: resuming, context)
            try host.move(staging, to: copied)
        }
        for name in try host.list(copied) { try host.move(join(copied, name), to: join(parameters.to, name)) }
        let result = try await host.summarize(parameters.to, excluding: [Self.markerName, Self.stagingName, Self.copiedName])
        guard result == expected else {
            throw StepError("\(parameters.to) holds \(result) after the move, the source \(expected); no marker written")
        }
        // Taken now, so that `bootstrap rollback` can show the source unchanged since this copy.
        let fingerprint = try await Self.fingerprint(parameters.from, host)
        try host.write(marker, markerContent(result, sourceFingerprint: fingerprint), mode: 0o644, owner: nil)
        try host.removeTree(copied)
        try await snapshot(host)
    }

    /// Copies (or resumes copying) the source into the staging directory and checks what arrived;
    /// returns what the source holds.
    func copy(resuming: Bool, _ context: StepContext) async throws -> TreeSummary {
        let host = context.host
        let sourceIsFile = try sourceStatus(host).kind == .file
        // One file has nothing worth resuming, and a temporary file of a killed rsync beside it would count.
        if resuming && sourceIsFile { try host.removeTree(staging) }
        context.progress("measuring \(parameters.from)")
        // Measured before the copy, for its progress; the source is quiescent (the compose stack
        // is stopped: the pre-flight checks it), and a source that changed anyway fails the comparison below.
        let expected = try await measureSource(host)
        var already = TreeSummary()
        if resuming && !sourceIsFile {
            already = try await host.summarize(staging)
            context.progress("resuming the copy of \(parameters.from): \(CopyProgress.bytes(already.bytes)) of "
                + "\(CopyProgress.bytes(expected.bytes)) already in \(staging); rsync copies the rest")
        } else {
            context.progress("copying \(parameters.from) to \(parameters.to) (\(CopyProgress.bytes(expected.bytes)), \(expected.entries) entries)")
        }
        let command = copyCommand(owner: try parameters.owner.map { try host.resolveOwner($0) }, sourceIsFile: sourceIsFile)
        try await reportingProgress(of: expected, from: already, context) { try await host.runChecked(command) }
        let copy = try await host.summarize(staging)
        guard copy == expected else {
            throw StepError("the copy of \(parameters.from) holds \(copy), the source \(expected) (did the source change?); "
                + "it stays in \(staging), and the next run resumes it")
        }
        return expected
    }

    /// `--recopy` of a finished copy, or the rest of an interrupted one: the guard snapshot first,
    /// then the old copy goes; returns the phase the copy starts from.
    func clearForRecopy(_ phase: MigrationPhase, _ context: StepContext) async throws -> MigrationPhase {
        switch phase {
        case .clearing: break
        case .done, .finishing: guard recopyRequested(context) else { return phase }
        default: return phase
        }
        context.progress("--recopy \(copyName): keeping what \(parameters.to) holds in a snapshot, then clearing it")
        for change in try await recopyChanges(phase, context.host) { try await change.perform(on: context.host) }
        return .copying(resuming: try context.host.status(staging) != nil)
    }

    /// `DATASET@bootstrap-migrated`, unless it exists already or there is no dataset.
    func snapshot(_ host: any HostSystem) async throws {
        guard let dataset = parameters.dataset, !(try await Self.snapshotExists(dataset, Self.migratedSnapshot, host)) else { return }
        try await host.runChecked(Self.snapshotCommand(dataset, Self.migratedSnapshot))
    }

    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] {
        if try context.host.status(marker) == nil { return ["\(marker) is missing: the migration did not finish"] }
        if try context.host.status(copied) != nil { return ["\(copied) is left over from the migration"] }
        if let dataset = parameters.dataset, !(try await Self.snapshotExists(dataset, Self.migratedSnapshot, context.host)) {
            return ["the snapshot \(dataset)@\(Self.migratedSnapshot) is missing"]
        }
        return []
    }

    func markerContent(_ summary: TreeSummary, sourceFingerprint: String) -> Data {
        let value: Value = [
            "source": .string(parameters.from), "entries": .int(summary.entries), "bytes": .int(Int(summary.bytes)),
            "migratedAt": .string(Timestamp.now()), "sourceFingerprint": .string(sourceFingerprint),
        ]
        return Data((JSON.encode(value, options: [.pretty]) + "\n").utf8)
    }
}
