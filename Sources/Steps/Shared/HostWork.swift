import Engine
import Host

extension StepContext {
    /// Performs planned host changes in order; a data copy is performed by its own driver.
    func perform(_ changes: [HostChange]) async throws {
        for change in changes {
            if case .copyData(let copy) = change {
                try await DataMigrate.perform(copy, self)
            } else {
                try await change.perform(on: host)
            }
        }
    }
}
