import Platform
import Document
import FoundationEssentials

/// All objects and the global resourceVersion. Not thread-safe: the server holds it in a Mutex.
struct Store {
    var resourceVersion = 0
    var registry = Registry()
    /// storage key ("group/plural") -> "namespace/name" -> object.
    var objects: [String: [String: Value]] = [:]
    /// HelmChart names whose install Job fails.
    var helmFailures: Set<String> = []
    /// Images whose pods fail, and how (WorkloadControllers.swift).
    var imageFaults: [String: ImageFault] = [:]
    /// The emulator's time, which the kubelet's crash loops follow (EmulatorOptions.clock).
    var kubeletClock: @Sendable () -> Duration = { .zero }
    /// Crash-looping pods ("namespace/name") and when their loop started; not kept in the state file.
    var crashStarts: [String: Duration] = [:]
    /// Which CRD files the state already holds (names, sizes, times), so a restart need not parse them again.
    var crdFingerprint = ""
    var nodeName = "node-1"
    /// k3s' packaged Traefik and ServiceLB, when the emulator stands in for a k3s server (K3sAddons.swift).
    var k3sAddons: K3sAddons?
    var nameRNG = SplitMix64(seed: 0xC0FFEE)
    /// Recent changes, oldest first, for watches.
    var events = EventLog()
    /// What the request being served asked for and what its response must carry (set per request).
    var request = RequestContext()

    struct RequestContext {
        var fieldValidation: FieldValidation = .warn
        /// The field manager of a create, update or non-apply patch (`fieldManager`, else the
        /// User-Agent's product, as kube-apiserver derives it).
        var manager = "unknown"
        /// Texts of the `Warning` headers of the response.
        var warnings: [String] = []
    }

    static func key(_ ns: String?, _ name: String) -> String { "\(ns ?? "")/\(name)" }

    func object(_ t: ResourceType, _ ns: String?, _ name: String) -> Value? {
        objects[t.storageKey]?[Self.key(t.namespaced ? ns : nil, name)]
    }

    func namespaceExists(_ ns: String) -> Bool { object(BuiltIn.namespace, nil, ns) != nil }

    // MARK: - Reads

    func get(_ t: ResourceType, ns: String?, name: String) throws(APIError) -> Value {
        guard let o = object(t, ns, name) else { throw .notFound(t, name) }
        return served(o, as: t)
    }

    /// Objects are stored once per group; a read names the version that was asked for.
    func served(_ object: Value, as t: ResourceType) -> Value {
        guard object["apiVersion"]?.stringValue != t.apiVersion else { return object }
        var o = object
        o["apiVersion"] = .string(t.apiVersion)
        return o
    }

    func list(_ t: ResourceType, ns: String?, labels: Selector?, fields: Selector?) -> Value {
        let prefix = t.namespaced && ns != nil ? "\(ns!)/" : nil
        var matched: [(String, Value)] = []
        for (key, o) in objects[t.storageKey] ?? [:] {
            if let prefix, !key.hasPrefix(prefix) { continue }
            if let labels, !labels.matchesLabels(of: o) { continue }
            if let fields, !fields.matchesFields(of: o) { continue }
            matched.append((key, o))
        }
        matched.sort { $0.0 < $1.0 }
        return [
            "kind": .string("\(t.kind)List"), "apiVersion": .string(t.apiVersion),
            "metadata": ["resourceVersion": .string(String(resourceVersion))],
            "items": .array(matched.map { served($0.1, as: t) }),
        ]
    }

    // MARK: - Writes

    /// POST: the body names the object; 409 when it exists.
    mutating func create(_ t: ResourceType, ns: String?, body: Value, dryRun: Bool) throws(APIError) -> Value {
        guard case .object = body else { throw .badRequest("the body of the request must be a JSON object") }
        var body = body
        if body[path: ["metadata", "name"]]?.stringValue?.isEmpty ?? true,
           let generate = body[path: ["metadata", "generateName"]]?.stringValue, !generate.isEmpty {
            body["metadata"]?["name"] = .string(generate + randomSuffix())
        }
        let name = body[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty {
            throw .invalid(t, "", [.init(reason: "FieldValueRequired", field: "metadata.name", detail: "Required value: name or generateName is required")])
        }
        if object(t, ns, name) != nil { throw .alreadyExists(t, name) }
        return try write(t, ns: ns, name: name, old: nil, new: body, dryRun: dryRun)
    }

    /// PUT: replaces the object; 404 when absent, 409 when the given resourceVersion is stale.
    mutating func update(_ t: ResourceType, ns: String?, name: String, body: Value, subresource: String?, dryRun: Bool) throws(APIError) -> Value {
        guard case .object = body else { throw .badRequest("the body of the request must be a JSON object") }
        guard let old = object(t, ns, name) else { throw .notFound(t, name) }
        return try write(t, ns: ns, name: name, old: old, new: body, subresource: subresource, dryRun: dryRun)
    }

    /// PATCH in any of the four patch types; apply creates the object when it is absent.
    mutating func patch(_ t: ResourceType, ns: String?, name: String, contentType: String, body: [UInt8],
                        fieldManager: String?, force: Bool = false, subresource: String?, dryRun: Bool) throws(APIError) -> (Value, created: Bool) {
        let media = contentType.split(separator: ";").first.map { $0.trimming(.whitespace).lowercased() } ?? ""
        let old = object(t, ns, name)
        if media == "application/apply-patch+yaml" {
            guard let manager = fieldManager, !manager.isEmpty else {
                throw .badRequest("PATCH, application/apply-patch+yaml requests must include a fieldManager query parameter")
            }
            let applied: Value
            do { applied = try YAML.parseOne(String(decoding: body, as: UTF8.self), file: "body").resolved }
            catch { throw .badRequest("error decoding YAML: \(error.description)") }
            guard case .object = applied else { throw .badRequest("apply patch must be an object") }
            if let bodyName = applied[path: ["metadata", "name"]]?.stringValue, bodyName != name {
                throw .badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
            }
            // staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/structuredmerge.go, Apply.
            if let version = applied["apiVersion"]?.stringValue, version != t.apiVersion {
                throw .badRequest("Incorrect version specified in apply patch. Specified patch version: \(version), expected: \(t.apiVersion)")
            }
            if applied[path: ["metadata", "managedFields"]] != nil { throw .badRequest("metadata.managedFields must be nil") }
            let live = old.map { served($0, as: t) }
            var unknown: [UnknownField] = []
            _ = t.shape.pruned(applied, unknown: &unknown)
            if !unknown.isEmpty { throw .undeclaredFields(t, namespace: t.namespaced ? ns : nil, name: name, unknown) }
            let result: Value
            do { result = try Apply.apply(live: live, applied: applied, shape: t.shape, manager: manager, force: force, now: Timestamp.now()) }
            catch { throw .applyConflict(error) }
            if old == nil {
                if subresource != nil { throw .notFound(t, name) }
                return (try write(t, ns: ns, name: name, old: nil, new: result, apply: true, dryRun: dryRun), true)
            }
            return (try write(t, ns: ns, name: name, old: old, new: result, subresource: subresource, apply: true, dryRun: dryRun), false)
        }
        guard let old else { throw .notFound(t, name) }
        let patch: Value
        do { patch = try JSON.decode(body) } catch { throw .badRequest("error decoding patch: \(error)") }
        let live = served(old, as: t)
        let result: Value
        switch media {
        case "application/merge-patch+json": result = Patch.merge(live, patch)
        case "application/strategic-merge-patch+json": result = Patch.merge(live, patch, dropDirectives: true)
        case "application/json-patch+json":
            do { result = try Patch.json(live, patch) } catch { throw .badRequest(error.message) }
        default: throw .unsupportedMediaType(contentType)
        }
        return (try write(t, ns: ns, name: name, old: old, new: result, subresource: subresource, dryRun: dryRun), false)
    }

    mutating func delete(_ t: ResourceType, ns: String?, name: String, dryRun: Bool) throws(APIError) -> Value {
        guard let old = object(t, ns, name) else { throw .notFound(t, name) }
        if !dryRun {
            remove(t, ns, name)
            afterDelete(t, old)
        }
        return successStatus(t, name: name, uid: old[path: ["metadata", "uid"]]?.stringValue)
    }

    mutating func deleteCollection(_ t: ResourceType, ns: String?, labels: Selector?, fields: Selector?, dryRun: Bool) -> Value {
        let listed = list(t, ns: ns, labels: labels, fields: fields)
        if !dryRun {
            for item in listed["items"]?.arrayValue ?? [] {
                let name = item[path: ["metadata", "name"]]?.stringValue ?? ""
                let itemNS = item[path: ["metadata", "namespace"]]?.stringValue
                remove(t, itemNS, name)
                afterDelete(t, item)
            }
        }
        return listed
    }

    /// The write path every verb shares: checks, defaults, schema, system metadata, then store.
    mutating func write(_ t: ResourceType, ns: String?, name: String, old: Value?, new body: Value,
                        subresource: String? = nil, apply: Bool = false, dryRun: Bool) throws(APIError) -> Value {
        var new = body
        if let kind = new["kind"]?.stringValue, !kind.isEmpty, kind != t.kind {
            throw .badRequest("the kind in the request (\(kind)) does not match the kind of the resource (\(t.kind))")
        }
        if let bodyName = new[path: ["metadata", "name"]]?.stringValue, bodyName != name {
            throw .badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if t.namespaced, let bodyNS = new[path: ["metadata", "namespace"]]?.stringValue, !bodyNS.isEmpty, bodyNS != ns {
            throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        if t.namespaced, let ns, !namespaceExists(ns) { throw .notFound(BuiltIn.namespace, ns) }
        if let old, let given = new[path: ["metadata", "resourceVersion"]]?.stringValue, !given.isEmpty,
           given != old[path: ["metadata", "resourceVersion"]]?.stringValue {
            throw .conflict(t, name)
        }
        if old == nil { try checkName(t, name) }

        // A status subresource splits writes: the main resource keeps the live status, /status keeps the rest.
        if subresource == "status" {
            guard var merged = old else { throw .notFound(t, name) }
            merged["status"] = new["status"]
            merged["metadata"] = Self.mergeMetadata(old: old?["metadata"], new: new["metadata"])
            new = merged
        } else if t.hasStatus {
            new["status"] = old?["status"]
        }

        new = normalise(t, new, ns: ns, name: name)
        if !apply {
            // An apply configuration was checked whole before it was merged; here the request body is.
            var unknown: [UnknownField] = []
            new = t.shape.pruned(new, unknown: &unknown)
            if !unknown.isEmpty {
                // A built-in kind's decoder reports fields in the order it meets them; a custom
                // resource's pruning reports them sorted (test/integration/apiserver/field_validation_test.go).
                if t.crdShape != nil { unknown.sort { $0.path < $1.path } }
                switch request.fieldValidation {
                case .strict: throw .strictDecoding(t, unknown)
                case .warn: request.warnings += unknown.map { "unknown field \(JSON.encode(.string($0.path)))" }
                case .ignore: break
                }
            }
        }
        try checkAnnotationSize(t, new, name: name)
        try validate(t, &new, name: name)
        if let old, subresource == nil { try validateUpdate(t, old: old, new: new, name: name) }
        stamp(&new, old: old)
        if !apply {
            new = Apply.recordUpdate(old: old, new: new, shape: t.shape, manager: request.manager, subresource: subresource, now: Timestamp.now())
        }
        if let old, Self.sameContent(old, new) { return served(old, as: t) }
        if dryRun {
            new["metadata"]?["resourceVersion"] = old?[path: ["metadata", "resourceVersion"]]
            return served(new, as: t)
        }
        put(t, new)
        reconcile(t, ns: ns, name: name, previous: old)
        return served(object(t, ns, name) ?? new, as: t)
    }

    private static func mergeMetadata(old: Value?, new: Value?) -> Value? {
        guard var o = old else { return new }
        for key in ["labels", "annotations"] where new?[key] != nil { o[key] = new?[key] }
        return o
    }

    /// The API server's limit on one object's annotations, keys and values together.
    static let annotationLimit = 256 * 1024

    private func checkAnnotationSize(_ t: ResourceType, _ object: Value, name: String) throws(APIError) {
        let annotations = object[path: ["metadata", "annotations"]]?.objectValue ?? Object()
        let total = annotations.reduce(0) { $0 + $1.key.utf8.count + ($1.value.stringValue?.utf8.count ?? 0) }
        if total > Self.annotationLimit {
            throw .invalid(t, name, [.init(reason: "FieldValueTooLong", field: "metadata.annotations",
                detail: "Too long: must have at most \(Self.annotationLimit) bytes")])
        }
    }

    private func checkName(_ t: ResourceType, _ name: String) throws(APIError) {
        let bytes = Array(name.utf8)
        func alnum(_ b: UInt8) -> Bool { (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) }
        let ok = !bytes.isEmpty && bytes.count <= 253 && alnum(bytes.first!) && alnum(bytes.last!)
            && bytes.allSatisfy { alnum($0) || $0 == 0x2D || $0 == 0x2E }
        if !ok {
            throw .invalid(t, name, [.init(reason: "FieldValueInvalid", field: "metadata.name",
                detail: "Invalid value: \"\(name)\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")])
        }
    }

    /// apiVersion, kind, name and namespace first, in the order kubectl prints them.
    private func normalise(_ t: ResourceType, _ body: Value, ns: String?, name: String) -> Value {
        var out = Object()
        out["apiVersion"] = .string(t.apiVersion)
        out["kind"] = .string(t.kind)
        var meta = body["metadata"]?.objectValue ?? Object()
        meta["name"] = .string(name)
        if t.namespaced { meta["namespace"] = .string(ns ?? "default") } else { meta["namespace"] = nil }
        out["metadata"] = .object(meta)
        for (k, v) in body.objectValue ?? Object() where k != "apiVersion" && k != "kind" && k != "metadata" { out[k] = v }
        return .object(out)
    }

    /// uid, creationTimestamp and generation belong to the server, whatever the client sent.
    private func stamp(_ new: inout Value, old: Value?) {
        var meta = new["metadata"]?.objectValue ?? Object()
        if let old {
            for k in ["uid", "creationTimestamp"] { meta[k] = old[path: ["metadata", k]] }
            let oldGeneration = old[path: ["metadata", "generation"]]?.intValue ?? 1
            meta["generation"] = .int(Self.specChanged(old, new) ? oldGeneration + 1 : oldGeneration)
            meta["resourceVersion"] = old[path: ["metadata", "resourceVersion"]]
        } else {
            meta["uid"] = .string(UUID().uuidString.lowercased())
            meta["creationTimestamp"] = .string(Timestamp.now())
            meta["generation"] = 1
            meta["resourceVersion"] = nil
        }
        new["metadata"] = .object(meta)
    }

    private static func withoutKeys(_ o: Value, _ keys: [String]) -> Value {
        guard case .object(var obj) = o else { return o }
        for k in keys { obj[k] = nil }
        return .object(obj)
    }

    static func specChanged(_ a: Value, _ b: Value) -> Bool {
        withoutKeys(a, ["metadata", "status", "apiVersion"]) != withoutKeys(b, ["metadata", "status", "apiVersion"])
    }

    static func sameContent(_ a: Value, _ b: Value) -> Bool {
        var a = withoutKeys(a, ["apiVersion"]), b = withoutKeys(b, ["apiVersion"])
        a["metadata"]?["resourceVersion"] = nil
        b["metadata"]?["resourceVersion"] = nil
        return a == b
    }

    /// Stores without checks (controllers write through here), bumping the resourceVersion.
    mutating func put(_ t: ResourceType, _ object: Value) {
        var o = object
        resourceVersion += 1
        o["metadata"]?["resourceVersion"] = .string(String(resourceVersion))
        if o[path: ["metadata", "uid"]] == nil { o["metadata"]?["uid"] = .string(UUID().uuidString.lowercased()) }
        if o[path: ["metadata", "creationTimestamp"]] == nil { o["metadata"]?["creationTimestamp"] = .string(Timestamp.now()) }
        let name = o[path: ["metadata", "name"]]?.stringValue ?? ""
        let ns = t.namespaced ? o[path: ["metadata", "namespace"]]?.stringValue : nil
        let existed = objects[t.storageKey, default: [:]].updateValue(o, forKey: Self.key(ns, name)) != nil
        events.append(WatchEvent(resourceVersion: resourceVersion, type: existed ? "MODIFIED" : "ADDED", storageKey: t.storageKey, object: o))
    }

    mutating func remove(_ t: ResourceType, _ ns: String?, _ name: String) {
        removeKey(t.storageKey, Self.key(t.namespaced ? ns : nil, name))
    }

    /// Deletes by storage key, recording the DELETED event watchers see.
    mutating func removeKey(_ storageKey: String, _ key: String) {
        guard var o = objects[storageKey]?.removeValue(forKey: key) else { return }
        resourceVersion += 1
        o["metadata"]?["resourceVersion"] = .string(String(resourceVersion))
        events.append(WatchEvent(resourceVersion: resourceVersion, type: "DELETED", storageKey: storageKey, object: o))
    }

    mutating func randomSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var v = nameRNG.next()
        return String((0..<5).map { _ in defer { v /= 27 }; return alphabet[Int(v % 27)] })
    }
}
