import Document
import Engine
import FoundationEssentials
import Host

/// Where a migration stands.
enum MigrationPhase: Sendable {
    case done
    /// The target does not exist yet (an earlier step creates it).
    case targetMissing
    /// Nothing copied yet; maybe an interrupted copy's staging directory to clear first.
    case fresh(leftoverStaging: Bool)
    /// Copied and counted; these entries still wait in the copied directory (none: moved, not yet verified).
    case moving([String])
    /// Verified and marked; only the emptied copied directory is left to remove.
    case finishing
}

extension DataMigrate {
    func inspect(_ host: any HostSystem) throws -> MigrationPhase {
        guard let source = try host.status(parameters.from) else {
            throw StepError("the source \(parameters.from) does not exist")
        }
        guard source.kind == .directory else { throw StepError("the source \(parameters.from) is not a directory") }
        guard let target = try host.status(parameters.to) else { return .targetMissing }
        guard target.kind == .directory else { throw StepError("the target \(parameters.to) is not a directory") }
        let entries = try host.list(parameters.to)
        if try host.status(marker) != nil {
            // The marker is written before the emptied copied directory goes: a kill in between
            // leaves that directory behind, and finishing means removing it.
            return entries.contains(Self.copiedName) ? .finishing : .done
        }
        if entries.contains(Self.copiedName) { return .moving(try host.list(copied)) }
        let foreign = entries.filter { $0 != Self.stagingName }
        guard foreign.isEmpty else {
            throw StepError("the target \(parameters.to) is not empty (\(foreign.prefix(5).joined(separator: ", "))"
                + "\(foreign.count > 5 ? ", ..." : "")) and has no \(Self.markerName), so bootstrap did not fill it. "
                + "Check what it holds: if it is data you need, point \(targetName) elsewhere; if it is a complete copy of "
                + "\(parameters.from) made by hand, write \(marker) yourself; otherwise empty it and run again. "
                + "The source was not touched.")
        }
        return .fresh(leftoverStaging: entries.contains(Self.stagingName))
    }

    /// The shell lines of what is left to do in this phase.
    func lines(_ phase: MigrationPhase, _ host: any HostSystem) throws -> [String] {
        // The marker first, then the emptied copied directory: every state between two writes is
        // recognisable (copied directory present: still moving or verifying; marker present: done).
        let finish = [HostChange.writeFile(FileWrite(path: marker, mode: 0o644, old: nil, new: .plain(Data()))), .remove(copied)]
        var changes: [HostChange] = []
        switch phase {
        case .done: return []
        case .finishing: return HostChange.remove(copied).lines
        case .moving(let names): changes = names.map(moveChange) + finish
        case .targetMissing, .fresh:
            if case .fresh(true) = phase { changes.append(.remove(staging)) }
            changes += [.run(copyCommand), .move(staging, to: copied)]
            changes += try host.list(parameters.from).map(moveChange) + finish
        }
        return changes.flatMap(\.lines)
    }

    func moveChange(_ name: String) -> HostChange { .move(join(copied, name), to: join(parameters.to, name)) }

    public func check(_ context: StepContext) async throws -> ChangeSet {
        let phase = try inspect(context.host)
        let lines = try lines(phase, context.host)
        var plan = ChangeSet(host: lines.isEmpty ? [] : [.copyData(DataCopy(from: parameters.from, to: parameters.to, lines: lines))])
        if case .targetMissing = phase {
            plan.warnings.append("\(parameters.to) does not exist yet: an earlier step (zfs.dataset) must create it")
        }
        return plan
    }

    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        try await context.perform(plan.host)
    }

    /// Performs a planned copy. It looks at the target again on purpose: a copy is resumable, and
    /// when planned with its dataset (storage.local-volumes) the target did not exist at plan time.
    static func perform(_ copy: DataCopy, _ context: StepContext) async throws {
        try await DataMigrate(id: context.stepID, parameters: Parameters(from: copy.from, to: copy.to)).migrate(context)
    }

    func migrate(_ context: StepContext) async throws {
        let host = context.host
        var expected: TreeSummary
        switch try inspect(host) {
        case .done: return
        case .finishing:
            try host.removeTree(copied)
            return
        case .targetMissing: throw StepError("the target \(parameters.to) does not exist; create it first (zfs.dataset)")
        case .moving: expected = try await host.summarize(parameters.from)
        case .fresh(let leftover):
            if leftover { try host.removeTree(staging) }
            context.progress("measuring \(parameters.from)")
            // Measured before the copy, for its progress; the source is quiescent (the compose stack
            // is stopped), and a source that changed anyway fails the comparison below.
            expected = try await host.summarize(parameters.from)
            context.progress("copying \(parameters.from) to \(parameters.to) (\(CopyProgress.bytes(expected.bytes)), \(expected.entries) entries)")
            let command = copyCommand
            try await reportingProgress(of: expected, context) { try await host.runChecked(command) }
            let copy = try await host.summarize(staging)
            guard copy == expected else {
                throw StepError("the copy of \(parameters.from) holds \(copy), the source \(expected); "
                    + "it stays in \(staging) for inspection and is redone on the next run")
            }
            try host.move(staging, to: copied)
        }
        for name in try host.list(copied) { try host.move(join(copied, name), to: join(parameters.to, name)) }
        let result = try await host.summarize(parameters.to, excluding: [Self.markerName, Self.stagingName, Self.copiedName])
        guard result == expected else {
            throw StepError("\(parameters.to) holds \(result) after the move, the source \(expected); no marker written")
        }
        try host.write(marker, markerContent(result), mode: 0o644, owner: nil)
        try host.removeTree(copied)
    }

    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] {
        if try context.host.status(marker) == nil { return ["\(marker) is missing: the migration did not finish"] }
        if try context.host.status(copied) != nil { return ["\(copied) is left over from the migration"] }
        return []
    }

    func markerContent(_ summary: TreeSummary) -> Data {
        let value: Value = [
            "source": .string(parameters.from), "entries": .int(summary.entries), "bytes": .int(Int(summary.bytes)),
            "migratedAt": .string(Timestamp.now()),
        ]
        return Data((JSON.encode(value, options: [.pretty]) + "\n").utf8)
    }
}
