/// A port a step binds on the node itself (k3s' API server, Traefik's entry points, a workload's
/// hostPort): the pre-flight checks that nothing else listens there before the first change.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    public enum Proto: String, Sendable { case tcp, udp }
    public var port: Int
    public var proto: Proto
    /// Who binds it, e.g. `Traefik entry point websecure`.
    public var purpose: String
    public init(_ port: Int, _ proto: Proto = .tcp, purpose: String) {
        self.port = port
        self.proto = proto
        self.purpose = purpose
    }
    public var description: String { "\(port)/\(proto.rawValue) (\(purpose))" }
}
