import Document
import Platform

/// A RabbitMQ broker a step installs, with the vhosts and users of the load definition it gives
/// the broker (RabbitMQ's definitions format: `vhosts[].name`, `users[].name`, `users[].tags`):
/// `bootstrap verify` asks the broker's management API that each of them exists.
public struct RabbitMQBroker: Sendable {
    /// The namespace the broker runs in.
    public var namespace: String
    /// What the step calls the broker (a Helm release's name).
    public var name: String
    /// The annotations that mark the broker's Service among the namespace's (a Helm release's
    /// marks on every object it makes); the one with the management port is asked.
    public var serviceAnnotations: [String: String]
    public var vhosts: [String]
    public var users: [String]
    /// A user of the load definition tagged `administrator`, and its password (the management API
    /// lists every vhost and user only to an administrator); nil when the definition has none.
    public var admin: (name: String, password: Sensitive)?

    /// The management plugin's HTTP port (RabbitMQ's management docs: "port 15672").
    public static let managementPort = 15672

    public init(namespace: String, name: String, serviceAnnotations: [String: String], vhosts: [String], users: [String],
                admin: (name: String, password: Sensitive)?) {
        self.namespace = namespace
        self.name = name
        self.serviceAnnotations = serviceAnnotations
        self.vhosts = vhosts
        self.users = users
        self.admin = admin
    }

    /// The vhosts, users and administrator of a load definition's JSON text; nil when the text is
    /// not a definitions document (no `users` or `vhosts` list).
    public static func definitions(_ text: Sensitive, namespace: String, name: String, serviceAnnotations: [String: String]) -> RabbitMQBroker? {
        guard let document = try? JSON.decode(text.revealed), document.objectValue != nil,
              document["users"]?.arrayValue != nil || document["vhosts"]?.arrayValue != nil else { return nil }
        let users = document["users"]?.arrayValue ?? []
        let admin = users.first { user in
            // `tags` is a comma-separated string in RabbitMQ 3.x exports, a list in newer ones.
            let tags = user["tags"]?.arrayValue?.compactMap(\.stringValue)
                ?? (user["tags"]?.stringValue ?? "").split(separator: ",").map { String($0).trimming(.whitespace) }
            return tags.contains("administrator")
        }
        return RabbitMQBroker(
            namespace: namespace, name: name, serviceAnnotations: serviceAnnotations,
            vhosts: (document["vhosts"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue },
            users: users.compactMap { $0["name"]?.stringValue },
            admin: admin.flatMap { user in
                user["name"]?.stringValue.map { ($0, Sensitive(user["password"]?.stringValue ?? "")) }
            })
    }
}
