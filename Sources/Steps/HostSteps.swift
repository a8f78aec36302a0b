import Engine

/// The host-side step drivers, for the engine's registry.
public enum HostSteps {
    public static let all: [any StepDriver.Type] = [K3sInstall.self, ZFSDataset.self, DataMigrate.self, HostFile.self, NodeLabels.self]
}
