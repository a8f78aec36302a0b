import Platform
import Document
import Engine
import FoundationEssentials
import Host

/// Where a migration stands.
enum MigrationPhase: Sendable {
    /// Copied, verified and marked; the snapshot of the copy may still be missing.
    case done(snapshotMissing: Bool)
    /// The target does not exist yet (an earlier step creates it).
    case targetMissing
    /// Nothing moved into place yet; the staging directory may hold an interrupted copy to resume.
    case copying(resuming: Bool)
    /// Copied and counted; these entries still wait in the copied directory (none: moved, not yet verified).
    case moving([String])
    /// Verified and marked; only the emptied copied directory is left to remove.
    case finishing
    /// A `--recopy` set the marker aside; these entries of the old copy are still to remove.
    case clearing([String])
}

extension DataMigrate {
    func inspect(_ host: any HostSystem) async throws -> MigrationPhase {
        _ = try sourceStatus(host)
        guard let target = try host.status(parameters.to) else { return .targetMissing }
        guard target.kind == .directory else { throw StepError("the target \(parameters.to) is not a directory") }
        let entries = try host.list(parameters.to)
        if entries.contains(Self.recopyingName) {
            return .clearing(entries.filter { $0 != Self.recopyingName && $0 != Self.stagingName })
        }
        if try host.status(marker) != nil {
            // The marker is written before the emptied copied directory goes: a kill in between
            // leaves that directory behind, and finishing means removing it.
            if entries.contains(Self.copiedName) { return .finishing }
            guard let dataset = parameters.dataset else { return .done(snapshotMissing: false) }
            return .done(snapshotMissing: !(try await Self.snapshotExists(dataset, Self.migratedSnapshot, host)))
        }
        if entries.contains(Self.copiedName) { return .moving(try movable(host)) }
        let foreign = entries.filter { $0 != Self.stagingName }
        guard foreign.isEmpty else {
            throw StepError("the target \(parameters.to) is not empty (\(Self.named(foreign))) and has no \(Self.markerName), so bootstrap did not fill it. "
                + "Check what it holds: if it is data you need, point \(targetName) elsewhere; if it is a complete copy of "
                + "\(parameters.from) made by hand, write \(marker) yourself; otherwise empty it and run again. "
                + "The source was not touched.")
        }
        return .copying(resuming: entries.contains(Self.stagingName))
    }

    /// The source's status: a directory, or one regular file (Traefik's acme.json).
    func sourceStatus(_ host: any HostSystem) throws -> FileStatus {
        guard let source = try host.status(parameters.from) else {
            throw StepError("the source \(parameters.from) does not exist")
        }
        guard source.kind == .directory || source.kind == .file else {
            throw StepError("the source \(parameters.from) is neither a directory nor a regular file")
        }
        return source
    }

    /// The top-level names the copy moves into place.
    func sourceNames(_ host: any HostSystem) throws -> [String] {
        try sourceStatus(host).kind == .file ? [PathText.lastComponent(parameters.from)] : host.list(parameters.from)
    }

    /// What the source holds, as the copy must hold it.
    func measureSource(_ host: any HostSystem) async throws -> TreeSummary {
        let status = try sourceStatus(host)
        return status.kind == .file ? TreeSummary(entries: 1, bytes: status.size) : try await host.summarize(parameters.from)
    }

    func recopyRequested(_ context: StepContext) -> Bool { context.recopy.contains(copyName) }

    /// The host changes left to do in this phase, in order.
    func changes(_ phase: MigrationPhase, _ context: StepContext) async throws -> [HostChange] {
        let host = context.host
        // The marker first, then the emptied copied directory: every state between two writes is
        // recognisable (copied directory present: still moving or verifying; marker present: done).
        // The marker is written inside the copied directory and renamed into place (writeMarker).
        let pending = join(copied, Self.markerName)
        let mark = [HostChange.writeFile(FileWrite(path: pending, mode: 0o644, old: nil, new: .plain(Data()))), .move(pending, to: marker)]
        let snapshot = parameters.dataset.map { HostChange.run(Self.snapshotCommand($0, Self.migratedSnapshot)) }
        let after = [HostChange.remove(copied)] + (snapshot.map { [$0] } ?? [])
        let finish = mark + after
        switch phase {
        case .done(let snapshotMissing) where !recopyRequested(context):
            return snapshotMissing ? (snapshot.map { [$0] } ?? []) : []
        case .finishing where !recopyRequested(context):
            return after
        case .moving(let names): return names.map(moveChange) + finish
        case .done, .finishing, .clearing, .targetMissing, .copying:
            var result = try await recopyChanges(phase, host)
            let sourceIsFile = try sourceStatus(host).kind == .file
            let owner = try parameters.owner.map { try host.resolveOwner($0) }
            result += [.run(copyCommand(owner: owner, sourceIsFile: sourceIsFile)), .move(staging, to: copied)]
            return result + (try sourceNames(host)).map(moveChange) + finish
        }
    }

    /// A `--recopy` of a finished copy: a snapshot of what it replaces, the marker set aside, the
    /// old copy removed (the snapshot keeps it), so the copy below starts from an empty target.
    func recopyChanges(_ phase: MigrationPhase, _ host: any HostSystem) async throws -> [HostChange] {
        let recopying = join(parameters.to, Self.recopyingName)
        switch phase {
        case .clearing(let names):
            return names.map { .remove(join(parameters.to, $0)) } + [.remove(recopying)]
        case .done, .finishing:
            guard let dataset = parameters.dataset else {
                throw StepError("--recopy \(copyName): \(parameters.to) is not on a ZFS dataset, so no snapshot can keep what the "
                    + "copy would replace; move its content away yourself (with \(Self.markerName)) and run again")
            }
            let migrated = try await Self.snapshotExists(dataset, Self.migratedSnapshot, host)
            let guardCommands = recopyGuard(dataset, stamp: Self.stamp(), migratedExists: migrated)
            let names = try host.list(parameters.to).filter { $0 != Self.markerName }
            return guardCommands.map(HostChange.run) + [.move(marker, to: recopying)]
                + names.map { .remove(join(parameters.to, $0)) } + [.remove(recopying)]
        default:
            return []
        }
    }

    /// What waits in the copied directory to be moved into place: not the marker on its way to
    /// the target, nor a temporary file of its write (see ``writeMarker(_:_:)``).
    func movable(_ host: any HostSystem) throws -> [String] {
        try host.list(copied).filter { $0 != Self.markerName && Files.temporaryWriter(of: $0) == nil }
    }

    /// The marker is written inside the copied directory, which no comparison counts, and renamed
    /// into the target: a kill during the write leaves its temporary file there, where the
    /// directory's removal takes it, never in the compared tree.
    func writeMarker(_ host: any HostSystem, _ content: Data) throws {
        let pending = join(copied, Self.markerName)
        try host.write(pending, content, mode: 0o644, owner: nil)
        try host.move(pending, to: marker)
    }

    /// Up to five names and how many more, for messages.
    static func named(_ names: [String]) -> String {
        names.prefix(5).joined(separator: ", ") + (names.count > 5 ? " and \(names.count - 5) more" : "")
    }

    func moveChange(_ name: String) -> HostChange { .move(join(copied, name), to: join(parameters.to, name)) }

    public func check(_ context: StepContext) async throws -> ChangeSet {
        let phase = try await inspect(context.host)
        let work = try await changes(phase, context)
        var copy = DataCopy(from: parameters.from, to: parameters.to, name: copyName, dataset: parameters.dataset,
                            owner: parameters.owner, fileMode: parameters.fileMode, work: work)
        if copy.copiesData { copy.estimate = try await estimate(context.host) }
        var plan = ChangeSet(host: work.isEmpty ? [] : [.copyData(copy)])
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
        let parameters = Parameters(from: copy.from, to: copy.to, dataset: copy.dataset, owner: copy.owner, fileMode: copy.fileMode)
        try await DataMigrate(id: context.stepID, parameters: parameters, copyName: copy.name).migrate(context)
    }
}
