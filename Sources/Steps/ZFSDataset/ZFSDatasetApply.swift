import Engine
import FoundationEssentials
import Host

/// What a dataset step finds and would change.
struct DatasetState: Sendable {
    /// Whether the dataset (or directory) must be created.
    var create: Bool
    var owner: FileOwner?
    var mode: UInt16?
}

extension ZFSDataset {
    var dataset: Dataset {
        var properties: [(String, String)] = []
        if let compression = parameters.compression { properties.append(("compression", compression)) }
        if let recordsize = parameters.recordsize { properties.append(("recordsize", recordsize)) }
        return Dataset(name: parameters.name ?? "", mountpoint: parameters.mountpoint, properties: properties)
    }

    func listCommand(_ name: String) -> Command {
        Command(["zfs", "list", "-H", "-p", "-o", "name,mountpoint", name], changesHost: false)
    }

    /// Looks at the host; an existing dataset mounted elsewhere is an error, never changed.
    func inspect(_ host: any HostSystem) async throws -> DatasetState {
        let mountpoint = parameters.mountpoint
        var create: Bool
        if usesZFS, let name = parameters.name {
            let result: CommandResult
            do { result = try await host.run(listCommand(name)) } catch HostError.commandNotFound {
                throw StepError("`zfs` is not installed on this node (not found on PATH): install ZFS "
                    + "(Debian/Ubuntu: `apt install zfsutils-linux`; NixOS: `boot.supportedFilesystems = [\"zfs\"]`), "
                    + "or set `backend: directory` on this step to use a plain directory at \(mountpoint)")
            }
            create = result.status != 0
            if !create {
                let fields = result.stdout.split(separator: "\n").first?.split(separator: "\t").map(String.init) ?? []
                let actual = fields.count > 1 ? fields[1] : "(unknown)"
                guard actual == mountpoint else {
                    throw StepError("dataset \(name) exists with mountpoint \(actual), but the playbook wants \(mountpoint); "
                        + "bootstrap never moves an existing dataset: change the playbook, or move it yourself with "
                        + "`zfs set mountpoint=\(mountpoint) \(name)` after checking what uses \(actual)")
                }
            }
        } else {
            let status = try host.status(mountpoint)
            if let status, status.kind != .directory {
                throw StepError("\(mountpoint) exists and is not a directory")
            }
            create = status == nil
        }
        let wantedOwner = try parameters.owner.map { try host.resolveOwner($0) }
        let wantedMode = parameters.mode.flatMap(parseMode)
        let current = create ? nil : try host.status(mountpoint)
        return DatasetState(create: create,
                            owner: wantedOwner.flatMap { current?.owner == $0 ? nil : $0 },
                            mode: wantedMode.flatMap { current?.mode == $0 ? nil : $0 })
    }

    /// The changes that make the dataset (or directory) as wanted.
    func changes(_ state: DatasetState) -> [HostChange] {
        var changes: [HostChange] = []
        if state.create { changes.append(usesZFS ? .createDataset(dataset) : .makeDirectory(parameters.mountpoint)) }
        if state.owner != nil || state.mode != nil {
            changes.append(.setAttributes(parameters.mountpoint, mode: state.mode, owner: state.owner))
        }
        return changes
    }

    public func check(_ context: StepContext) async throws -> ChangeSet {
        ChangeSet(host: changes(try await inspect(context.host)))
    }

    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        if plan.host.contains(where: { if case .createDataset = $0 { return true } else { return false } }) {
            context.progress("creating \(parameters.name ?? parameters.mountpoint)")
        }
        for change in plan.host { try await change.perform(on: context.host) }
    }

    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] {
        let state: DatasetState
        do { state = try await inspect(context.host) } catch { return ["\(error)"] }
        var drift: [String] = []
        if state.create { drift.append("\(parameters.name ?? parameters.mountpoint) is missing") }
        if let owner = state.owner { drift.append("\(parameters.mountpoint) is not owned by \(owner)") }
        if let mode = state.mode { drift.append("\(parameters.mountpoint) does not have mode \(octal(mode))") }
        return drift
    }
}
