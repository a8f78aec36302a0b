/// Documented bounds on what bootstrap reads (README, "Limits").
public enum Limits {
    /// How deeply collections may nest in a YAML or JSON document. Real playbooks and Kubernetes
    /// objects stay under 20; every function that recurses over a document relies on this bound.
    public static let maxDepth = 200

    /// The largest playbook, secrets file or kubeconfig read (8 MiB).
    public static let maxFileBytes = 8 * 1_048_576

    /// How many findings are printed; the rest are counted (`… and 19,900 more`). A person fixes
    /// the first ones and runs again; tens of thousands of lines help no one.
    public static let printedDiagnostics = 100
}
