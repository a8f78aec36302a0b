import Engine

/// Every step type bootstrap knows.
public enum StepCatalog {
    public static let drivers: [any StepDriver.Type] = HostSteps.all + clusterDrivers

    static let clusterDrivers: [any StepDriver.Type] = [
        NamespacesStep.self,
        ObjectsStep.self,
        LocalVolumes.self,
        HelmChart.self,
        RBACOIDC.self,
        TraefikACME.self,
        TraefikRoutes.self,
    ]

    public static let registry = StepRegistry(drivers)
}
