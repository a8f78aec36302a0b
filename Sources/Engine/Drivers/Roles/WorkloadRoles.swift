import Document

/// A step type whose effect depends on files read beside the playbook, so that a changed file
/// re-runs the step.
public protocol ReadsFiles: StepDriver {
    /// The files' content (secrets in it stay sensitive); nil when this step read none.
    var digestInputs: Value? { get }
}

/// A step type that runs something with a state worth telling in `status` (a workload's rollout).
public protocol ReportsLiveState: StepDriver {
    /// One line, read without changing anything; nil when there is nothing to tell.
    func liveState(_ context: StepContext) async throws -> String?
}

/// A step type that installs RabbitMQ brokers, whose load definition `bootstrap verify` checks.
public protocol InstallsBrokers: StepDriver {
    var rabbitMQBrokers: [RabbitMQBroker] { get }
}
