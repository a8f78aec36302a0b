import Engine
import Host

/// Every step type bootstrap knows.
public enum StepCatalog {
    public static let drivers: [any StepDriver.Type] = [
        K3sInstall.self, ZFSDataset.self, DataMigrate.self, HostFile.self, NodeLabels.self,
        NamespacesStep.self, ObjectsStep.self, LocalVolumes.self, HelmChart.self, RBACOIDC.self,
        TraefikACME.self, TraefikRoutes.self, AppWorkload.self,
    ]

    public static let registry = StepRegistry(drivers)

    /// What the step types' commands do in a rehearsal, for the rehearsal host.
    public static let rehearsalSimulations: [CommandSimulation] = drivers.compactMap { $0.rehearsableRole }.flatMap { $0.simulations }
}
