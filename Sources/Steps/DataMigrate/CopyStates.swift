import Document
import Engine
import Host

extension DataMigrate {
    public func copyStates(_ host: any HostSystem) async throws -> [CopyState] { [try await copyState(host)] }

    /// The marker's record of the copy against the source now (``fingerprint(_:_:)``).
    func copyState(_ host: any HostSystem) async throws -> CopyState {
        func state(_ source: CopyState.Source, _ at: String? = nil) -> CopyState {
            CopyState(name: copyName, from: parameters.from, to: parameters.to, copiedAt: at, source: source)
        }
        guard let data = try host.read(marker) else { return state(.notCopied) }
        let record = try? JSON.decode(Array(data))
        let at = record?["migratedAt"]?.stringValue
        guard let recorded = record?["sourceFingerprint"]?.stringValue else { return state(.unknown, at) }
        guard try host.status(parameters.from) != nil else { return state(.changed, at) }
        return state(try await Self.fingerprint(parameters.from, host) == recorded ? .unchanged : .changed, at)
    }
}

extension LocalVolumes {
    public func copyStates(_ host: any HostSystem) async throws -> [CopyState] {
        var states: [CopyState] = []
        for volume in parameters.volumes { if let migration = migration(volume) { states.append(try await migration.copyState(host)) } }
        return states
    }
}
