import Document
import Foundation
import Kube

/// The record of completed steps: annotations on ConfigMap `bootstrap-<playbook>` in kube-system.
public enum Ledger {
    public static let namespace = "kube-system"
    /// The annotation every object the engine writes carries, naming playbook and step.
    public static let stepAnnotation = "bootstrap.faforever.com/step"
    /// The ledger ConfigMap's annotation key prefix, followed by the step id.
    public static let stepKeyPrefix = "steps.bootstrap.faforever.com/"
    public static let keySecretName = "bootstrap-ledger-key"

    public static func configMapName(_ playbook: String) -> String { "bootstrap-\(playbook)" }

    public static func configMapRef(_ playbook: String) -> ObjectRef {
        ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: configMapName(playbook))
    }

    public static let keySecretRef = ObjectRef(apiVersion: "v1", kind: "Secret", namespace: namespace, name: keySecretName)

    /// One completed step, as recorded.
    public struct Record: Sendable, Equatable {
        public var digest: String
        public var completedAt: String
        public var type: String
        public var version: Int

        public var json: Value {
            ["digest": .string(digest), "completedAt": .string(completedAt), "type": .string(type), "version": .int(version)]
        }

        public init(digest: String, completedAt: String, type: String, version: Int) {
            self.digest = digest
            self.completedAt = completedAt
            self.type = type
            self.version = version
        }

        init?(_ text: String) {
            guard let value = try? JSON.decode(text), let digest = value["digest"]?.stringValue,
                  let completedAt = value["completedAt"]?.stringValue else { return nil }
            self.init(digest: digest, completedAt: completedAt, type: value["type"]?.stringValue ?? "",
                      version: value["version"]?.intValue ?? 0)
        }
    }

    /// Reads the records of a playbook (one request); empty when the ledger does not exist yet.
    public static func read(_ kube: KubeClient, playbook: String) async throws -> [String: Record] {
        guard let configMap = try await kube.get(configMapRef(playbook)) else { return [:] }
        var records: [String: Record] = [:]
        for (key, value) in configMap[path: ["metadata", "annotations"]]?.objectValue ?? Object() {
            guard key.hasPrefix(stepKeyPrefix), let text = value.stringValue, let record = Record(text) else { continue }
            records[String(key.dropFirst(stepKeyPrefix.count))] = record
        }
        return records
    }

    /// Makes sure the ledger ConfigMap exists, so records can be merged into it.
    public static func ensure(_ kube: KubeClient, playbook: String) async throws {
        let object: Value = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": .string(configMapName(playbook)), "namespace": .string(namespace),
                "labels": ["app.kubernetes.io/managed-by": "bootstrap", "bootstrap.faforever.com/playbook": .string(playbook)],
            ],
        ]
        do {
            _ = try await kube.create(object)
        } catch let error as KubeError where error.reason == .alreadyExists {
            return
        }
    }

    /// Records one step: a merge patch of its annotation alone, so concurrent records never clash.
    public static func record(_ kube: KubeClient, playbook: String, step: String, _ record: Record) async throws {
        let patch: Value = ["metadata": ["annotations": .object(Object([(stepKeyPrefix + step, .string(JSON.encode(record.json)))]))]]
        _ = try await kube.mergePatch(configMapRef(playbook), patch: patch)
    }

    /// Reads the HMAC key, creating it when `create` is set and it does not exist.
    public static func key(_ kube: KubeClient, create: Bool) async throws -> Data? {
        if let secret = try await kube.get(keySecretRef), let encoded = secret[path: ["data", "key"]]?.stringValue {
            return Data(base64Encoded: encoded)
        }
        guard create else { return nil }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = generator.next() }
        let secret: Value = [
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": [
                "name": .string(keySecretName), "namespace": .string(namespace),
                "labels": ["app.kubernetes.io/managed-by": "bootstrap"],
            ],
            "data": ["key": .sensitive(Sensitive(Data(bytes).base64EncodedString()))],
        ]
        do {
            _ = try await kube.create(secret)
            return Data(bytes)
        } catch let error as KubeError where error.reason == .alreadyExists {
            // Another apply created it first: use theirs.
            return try await key(kube, create: false)
        }
    }

    static func timestamp() -> String { Timestamp.now() }
}
