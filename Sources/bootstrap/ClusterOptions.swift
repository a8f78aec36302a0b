import ArgumentParser

/// How plan, apply and status find the node and the cluster.
struct ClusterOptions: ParsableArguments {
    // CaseIterable: shell completions offer the values.
    enum Output: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "The kubeconfig. Default: $KUBECONFIG, ~/.kube/config, then /etc/rancher/k3s/k3s.yaml under --host-root.")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use instead of its current context.")
    var context: String?

    @Option(help: "Where host paths live; tests and chroots use another directory.")
    var hostRoot: String = "/"

    @Option(help: ArgumentHelp(
        "Rehearse in DIR: an embedded API emulator keeps its state there and the host side is simulated under it.",
        discussion: "No real host command runs and no real cluster is touched. Every host command is written to DIR/host.log.",
        valueName: "DIR"))
    var rehearsal: String?

    @Option(help: ArgumentHelp("Rehearsal only: CRDs (YAML files) the simulated k3s serves, instead of those of the playbook's pinned k3s release (or a permissive minimal set when bootstrap does not know that release).", valueName: "DIR"))
    var crds: String?

    @Option(help: "text or json.")
    var output: Output = .text

    @Option(help: "How long, in seconds, a failing API request is retried (429, 5xx, refused or reset connections) before the run fails.")
    var retryDeadline = 20

    @Flag(help: "Log every API request and its status (Authorization and Secret payloads are never shown).")
    var verbose = false

    /// Whether this run touches a real node or cluster (then loose secrets files are refused).
    var touchesRealSystems: Bool { rehearsal == nil }
}
