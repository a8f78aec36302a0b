/// Where the engine records completed steps (filled in by the ledger issue).
public enum Ledger {
    /// The annotation every object the engine writes carries, naming playbook and step.
    public static let stepAnnotation = "bootstrap.faforever.com/step"
    /// The ledger ConfigMap's annotation key prefix, followed by the step id.
    public static let stepKeyPrefix = "steps.bootstrap.faforever.com/"
}
