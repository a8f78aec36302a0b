import Engine
import FoundationEssentials
import Host
import Platform

// Before the first change of a copy still to do: nothing may be writing the source (a live
// MariaDB copied is a corrupt copy that is never copied again), rsync must be there, and the
// pool must have room.
extension DataMigrate {
    /// Room wanted beyond the bytes to copy: a tenth more (ZFS metadata and record padding, and what
    /// the services write in their first days) and 1 GiB.
    static func roomNeeded(for bytes: Int64) -> Int64 { bytes + bytes / 10 + (1 << 30) }

    public func preflight(_ context: StepContext) async throws -> [PreflightCheck] {
        guard let pending = try await pendingBytes(context) else { return [] }
        var checks = try await Self.sourceChecks(step: context.stepID, sources: [parameters.from], context.host)
        if let dataset = parameters.dataset {
            checks.append(try await Self.roomCheck(step: context.stepID, dataset: dataset, bytes: pending, context.host))
        }
        if let inUse = try await inUseCheck(context) { checks.append(inUse) }
        return checks
    }

    /// The bytes still to copy, or nil when the copy is done (and not to be redone).
    func pendingBytes(_ context: StepContext) async throws -> Int64? {
        switch try await inspect(context.host) {
        case .done, .finishing: return recopyRequested(context) ? try await measureSource(context.host).bytes : nil
        case .moving: return 0
        default: return try await measureSource(context.host).bytes
        }
    }

    /// The compose stack is stopped (no container mounts a source, no process holds a file open
    /// in one) and rsync is on PATH.
    static func sourceChecks(step: String, sources: [String], _ host: any HostSystem) async throws -> [PreflightCheck] {
        var checks: [PreflightCheck] = []
        var users: [String] = []
        for source in sources { users += try await containersMounting(source, host).map { "container \($0) mounts \(source)" } }
        users += try host.processesHolding(under: sources).prefix(5).map { "process \($0.pid) (\($0.command)) has \($0.path) open" }
        let what = sources.count == 1 ? sources[0] : "\(sources.count) sources to copy"
        if users.isEmpty {
            checks.append(.passed(step, "compose stopped", "no running container mounts \(what) and no process holds a file open there"))
        } else {
            checks.append(.failed(step, "compose stopped", "\(users.joined(separator: "; ")); stop the compose stack "
                + "(`docker compose down`) so the copy is of data at rest"))
        }
        do {
            _ = try await host.runChecked(Command(["rsync", "--version"], changesHost: false))
            checks.append(.passed(step, "rsync", "rsync is on PATH"))
        } catch {
            checks.append(.failed(step, "rsync", "rsync is needed for the copy (\(error)): apt-get install rsync"))
        }
        return checks
    }

    /// Names of running containers with a mount at, above or below `path`, as docker on PATH says;
    /// none when docker is not installed (the k3s node is not the compose host).
    static func containersMounting(_ path: String, _ host: any HostSystem) async throws -> [String] {
        let ids: CommandResult
        do { ids = try await host.run(Command(["docker", "ps", "-q", "--no-trunc"], changesHost: false)) } catch HostError.commandNotFound {
            return []
        }
        let list = ids.stdout.split(whereSeparator: \.isNewline).map(String.init)
        guard ids.status == 0 else { throw StepError("docker ps failed: \(ids.stderr)") }
        guard !list.isEmpty else { return [] }
        let format = "{{.Name}}{{range .Mounts}}\t{{.Source}}{{end}}"
        let mounts = try await host.runChecked(Command(["docker", "inspect", "--format", format] + list, changesHost: false))
        let inside = { (a: String, b: String) in a == b || a.hasPrefix(b.hasSuffix("/") ? b : b + "/") }
        return mounts.stdout.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: "\t").map(String.init)
            guard let name = fields.first, fields.dropFirst().contains(where: { inside($0, path) || inside(path, $0) }) else { return nil }
            return name.hasPrefix("/") ? String(name.dropFirst()) : name
        }
    }

    /// The pool of `dataset` has room for `bytes` and the margin (``roomNeeded(for:)``).
    static func roomCheck(step: String, dataset: String, bytes: Int64, _ host: any HostSystem) async throws -> PreflightCheck {
        let pool = String(dataset.split(separator: "/").first ?? Substring(dataset))
        let result = try await host.run(Command(["zfs", "get", "-H", "-p", "-o", "value", "available", pool], changesHost: false))
        guard result.status == 0, let available = Int64(result.stdout.trimming(.whitespaceAndNewlines)) else {
            return .failed(step, "pool room", "the pool \(pool) does not answer `zfs get available` (\(result.stderr.trimming(.whitespaceAndNewlines))): does it exist?")
        }
        let need = roomNeeded(for: bytes)
        let text = "\(pool) has \(ByteText.binary(available)) available for \(ByteText.binary(bytes)) to copy "
            + "(wanted: the bytes, a tenth more and 1 GiB: \(ByteText.binary(need)))"
        return available >= need ? .passed(step, "pool room", text) : .failed(step, "pool room", text)
    }
}
