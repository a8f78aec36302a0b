import Document
import Engine

// A release whose Secrets hold a RabbitMQ load definition installs a RabbitMQ broker: Bitnami's
// chart reads it from `loadDefinition.existingSecret` (load_definition.json), a chart of one's own
// from any key it names (definitions.json). Which key the chart reads is the chart's business, so
// the definition is recognised by its content (a JSON document with RabbitMQ's `users` or
// `vhosts` lists), not by a key name.
extension HelmChart: InstallsBrokers {
    public var rabbitMQBrokers: [RabbitMQBroker] {
        for secret in parameters.secrets ?? [] {
            for key in secret.data.keys.sorted() {
                let release = HelmRelease(name: parameters.name, namespace: parameters.targetNamespace)
                if let broker = RabbitMQBroker.definitions(secret.data[key]!.value, namespace: release.namespace, name: release.name,
                                                           serviceAnnotations: release.annotations) {
                    return [broker]
                }
            }
        }
        return []
    }
}
