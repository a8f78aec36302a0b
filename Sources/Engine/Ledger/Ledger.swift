import Document
import FoundationEssentials
import Kube
import Platform

/// The record of completed steps: annotations on ConfigMap `bootstrap-<playbook>` in kube-system.
public enum Ledger {
    public static let namespace = "kube-system"
    /// The annotation every object the engine writes carries, naming playbook and step.
    public static let stepAnnotation = "bootstrap.faforever.com/step"
    /// The ledger ConfigMap's annotation key prefix, followed by the step id.
    public static let stepKeyPrefix = "steps.bootstrap.faforever.com/"
    public static let keySecretName = "bootstrap-ledger-key"

    public static func configMapName(_ playbook: String) -> String { "bootstrap-\(playbook)" }

    public static func configMapRef(_ playbook: String, shard: Int = 0) -> ObjectRef {
        // A playbook name has no dot, so a shard's name cannot be another playbook's ledger.
        let name = shard == 0 ? configMapName(playbook) : "\(configMapName(playbook)).shard-\(shard)"
        return ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: name)
    }

    /// An API server refuses more than 256 KiB of annotations on one object, about 1,300 records:
    /// larger playbooks spread their records over shards, named in the main ConfigMap.
    public static let stepsPerShard = 1000
    public static let shardsAnnotation = "bootstrap.faforever.com/ledger-shards"

    public static func shardCount(steps: Int) -> Int { max(1, (steps + stepsPerShard - 1) / stepsPerShard) }

    /// Which shard holds a step's record: stable across runs (FNV-1a of the id).
    static func shard(of step: String, count: Int) -> Int {
        guard count > 1 else { return 0 }
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in step.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return Int(hash % UInt64(count))
    }

    public static let keySecretRef = ObjectRef(apiVersion: "v1", kind: "Secret", namespace: namespace, name: keySecretName)

    /// One completed step, as recorded.
    public struct Record: Sendable, Equatable {
        public var digest: String
        public var completedAt: String
        public var type: String
        public var version: Int
        /// The objects the step wrote, so a later run can delete those it no longer wants; nil in
        /// records written before bootstrap kept this list.
        public var objects: [ObjectRef]?

        public var json: Value {
            var json: Value = ["digest": .string(digest), "completedAt": .string(completedAt), "type": .string(type), "version": .int(version)]
            if let objects { json["objects"] = .array(objects.map { .string($0.compact) }) }
            return json
        }

        public init(digest: String, completedAt: String, type: String, version: Int, objects: [ObjectRef]? = nil) {
            self.digest = digest
            self.completedAt = completedAt
            self.type = type
            self.version = version
            self.objects = objects
        }

        init?(_ text: String) {
            guard let value = try? JSON.decode(text), let digest = value["digest"]?.stringValue,
                  let completedAt = value["completedAt"]?.stringValue else { return nil }
            self.init(digest: digest, completedAt: completedAt, type: value["type"]?.stringValue ?? "",
                      version: value["version"]?.intValue ?? 0,
                      objects: value["objects"]?.arrayValue.map { $0.compactMap { $0.stringValue.flatMap(ObjectRef.init(compact:)) } })
        }
    }

    /// A failure to read the ledger, before anything ran: says so, and what was being read.
    public struct Unreadable: Error, Sendable, CustomStringConvertible {
        public var playbook: String
        public var cause: String
        public var description: String {
            "cannot read the ledger (ConfigMap \(namespace)/\(configMapName(playbook))): \(cause); nothing was changed"
        }
    }

    /// Starts reading the playbook's ledger (and its key, when the run has secrets) ahead of the
    /// walk, which then takes what was read: a no-op re-run is little more than these two reads.
    public static func prefetch(_ kube: KubeClient, playbook: String, key: Bool) {
        kube.prefetch([configMapRef(playbook)] + (key ? [keySecretRef] : []))
    }

    /// Reads the records of a playbook, naming the ledger in any failure.
    public static func readOrExplain(_ kube: KubeClient, playbook: String) async throws -> [String: Record] {
        do { return try await read(kube, playbook: playbook) } catch {
            throw Unreadable(playbook: playbook, cause: SystemError.message(of: error))
        }
    }

    /// Reads the records of a playbook (one request unless it has shards); empty when there is no ledger yet.
    public static func read(_ kube: KubeClient, playbook: String) async throws -> [String: Record] {
        guard let main = try await kube.get(configMapRef(playbook)) else { return [:] }
        var records = parse(main)
        let shards = Int(main[path: ["metadata", "annotations", shardsAnnotation]]?.stringValue ?? "") ?? 1
        for shard in (1..<max(1, shards)) {
            guard let configMap = try await kube.get(configMapRef(playbook, shard: shard)) else { continue }
            // A step recorded in two shards (the shard count changed): the newer record counts.
            records.merge(parse(configMap)) { $0.completedAt >= $1.completedAt ? $0 : $1 }
        }
        return records
    }

    static func parse(_ configMap: Value) -> [String: Record] {
        var records: [String: Record] = [:]
        for (key, value) in configMap[path: ["metadata", "annotations"]]?.objectValue ?? Object() {
            guard key.hasPrefix(stepKeyPrefix), let text = value.stringValue, let record = Record(text) else { continue }
            records[String(key.dropFirst(stepKeyPrefix.count))] = record
        }
        return records
    }

    /// Makes sure the ledger ConfigMaps exist, so records can be merged into them.
    public static func ensure(_ kube: KubeClient, playbook: String, shards: Int = 1) async throws {
        for shard in 0..<shards {
            var metadata: Value = [
                "name": .string(configMapRef(playbook, shard: shard).name), "namespace": .string(namespace),
                "labels": ["app.kubernetes.io/managed-by": "bootstrap", "bootstrap.faforever.com/playbook": .string(playbook)],
            ]
            if shard == 0 && shards > 1 { metadata["annotations"] = .object(Object([(shardsAnnotation, .string(String(shards)))])) }
            do {
                _ = try await kube.createIdempotently(["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata])
            } catch let error as KubeError where error.reason == .alreadyExists {
                guard shard == 0, shards > 1 else { continue }
                // Grown past a shard boundary: name every shard there may be records in.
                let live = try await kube.get(configMapRef(playbook))
                let known = Int(live?[path: ["metadata", "annotations", shardsAnnotation]]?.stringValue ?? "") ?? 1
                if shards > known {
                    let patch: Value = ["metadata": ["annotations": .object(Object([(shardsAnnotation, .string(String(shards)))]))]]
                    _ = try await kube.mergePatch(configMapRef(playbook), patch: patch)
                }
            }
        }
    }

    /// Records one step: a merge patch of its annotation alone, so concurrent records never clash.
    public static func record(_ kube: KubeClient, playbook: String, step: String, shards: Int = 1, _ record: Record) async throws {
        try await self.record(kube, playbook: playbook, shards: shards, [(step, record)])
    }

    /// Records steps that finished together: one merge patch per shard holding their annotations
    /// alone, so a record never clashes with a concurrent one, and a patch that fails records none
    /// of its steps.
    public static func record(_ kube: KubeClient, playbook: String, shards: Int = 1, _ records: [(step: String, record: Record)]) async throws {
        var byShard: [Int: Object] = [:]
        for (step, record) in records {
            byShard[shard(of: step, count: shards), default: Object()][stepKeyPrefix + step] = .string(JSON.encode(record.json))
        }
        for (shard, annotations) in byShard.sorted(by: { $0.key < $1.key }) {
            _ = try await kube.mergePatch(configMapRef(playbook, shard: shard), patch: ["metadata": ["annotations": .object(annotations)]])
        }
    }

    /// Forgets a step removed from the playbook, once what it wrote is deleted: from every shard,
    /// since the shard count may have changed since it was recorded.
    public static func remove(_ kube: KubeClient, playbook: String, step: String, shards: Int = 1) async throws {
        let patch: Value = ["metadata": ["annotations": .object(Object([(stepKeyPrefix + step, .null)]))]]
        for shard in 0..<max(1, shards) { _ = try await kube.mergePatch(configMapRef(playbook, shard: shard), patch: patch) }
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
            _ = try await kube.createIdempotently(secret)
            return Data(bytes)
        } catch let error as KubeError where error.reason == .alreadyExists {
            // Another apply created it first: use theirs.
            return try await key(kube, create: false)
        }
    }

    static func timestamp() -> String { Timestamp.now() }
}
