import Document
import Host
import Kube
import Synchronization

/// What a step driver gets to work with while it runs.
public struct StepContext: Sendable {
    public enum Mode: Sendable { case plan, apply }

    public let stepID: String
    public let mode: Mode
    /// The host; during plan, one that refuses any command with side effects.
    public let host: any HostSystem
    /// The API server, or nil while it is not reachable (before the step that provides the cluster has run).
    public private(set) var kube: KubeClient?
    /// Connects (again) to the API server, e.g. after the cluster was installed; nil when not reachable.
    public let connect: @Sendable () async throws -> KubeClient?
    /// Reports what the step is doing or waiting on, for the progress display.
    public let progress: @Sendable (String) -> Void
    /// How long a step may wait for something to become ready.
    public private(set) var waitTimeout: Duration
    /// The playbook's name, used for object names such as the ledger.
    public let playbookName: String
    /// What the API server returned for the objects this step applied in this run.
    public let applied: AppliedObjects
    /// Digests under the ledger key: a checksum of content with secrets in it never holds a plain
    /// hash of a secret (nil result: the key does not exist yet, as in a plan before the first apply).
    public let digester: Digester
    /// `--recopy`: the data copies (by the name a driver's `copyNames` gives) to redo on purpose.
    public let recopy: Set<String>

    public init(stepID: String, mode: Mode, host: any HostSystem, kube: KubeClient?,
                connect: @escaping @Sendable () async throws -> KubeClient?,
                progress: @escaping @Sendable (String) -> Void, waitTimeout: Duration, playbookName: String,
                applied: AppliedObjects = AppliedObjects(), digester: Digester = Digester(key: nil), recopy: Set<String> = []) {
        self.digester = digester
        self.recopy = recopy
        self.stepID = stepID
        self.mode = mode
        self.host = host
        self.kube = kube
        self.connect = connect
        self.progress = progress
        self.waitTimeout = waitTimeout
        self.playbookName = playbookName
        self.applied = applied
    }

    /// This context with another wait limit (a step whose work may take longer than the run's default).
    public func with(waitTimeout: Duration) -> StepContext {
        var context = self
        context.waitTimeout = waitTimeout
        return context
    }

    /// This context with an API client, e.g. one connected after the step brought the cluster up.
    public func with(kube: KubeClient?) -> StepContext {
        var context = self
        context.kube = kube
        return context
    }

    /// The API client, or a clear error naming the step when the API is not reachable.
    public func requireKube() throws -> KubeClient {
        guard let kube else { throw StepError("the Kubernetes API is not reachable") }
        return kube
    }

    /// Server-side applies objects, labelled as managed by bootstrap and annotated with this step:
    /// in ``ApplyWaves`` (Namespaces and CRDs first, workloads last), each wave's objects
    /// concurrently, a few at a time. The first failure fails the step once the wave's other
    /// applies have ended.
    public func applyObjects(_ objects: [Value]) async throws {
        guard !objects.isEmpty else { return }
        let kube = try requireKube()
        for wave in ApplyWaves.split(objects) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = wave.makeIterator()
                for _ in 0..<ApplyWaves.parallel {
                    guard let object = next.next() else { break }
                    group.addTask { try await applyObject(object, kube) }
                }
                while try await group.next() != nil {
                    if let object = next.next() { group.addTask { try await applyObject(object, kube) } }
                }
            }
        }
    }

    func applyObject(_ object: Value, _ kube: KubeClient) async throws {
        let object = stamped(object)
        let written: Value
        do {
            // Unforced first, so taking over another manager's fields (a person's kubectl edit)
            // is said out loud; the forced apply then takes them, as the playbook wants.
            written = try await kube.apply(object, dryRun: false, force: false)
        } catch let conflict as KubeError where conflict.reason == .conflict && !conflict.causes.isEmpty {
            progress("took over fields of another manager on \(ObjectRef(object).map { "\($0)" } ?? "an object"): "
                + conflict.causes.map(\.message).joined(separator: "; "))
            written = try await kube.apply(object, dryRun: false)
        }
        if let ref = ObjectRef(written) { applied.record(ref, written) }
    }

    /// Performs the planned changes to live objects that must come before the apply, in order.
    public func prepare(_ preparations: [ObjectPreparation]) async throws {
        guard !preparations.isEmpty else { return }
        let kube = try requireKube()
        for preparation in preparations {
            // Gone since the plan (deleted by hand): the apply creates it as wanted.
            guard try await kube.get(preparation.ref) != nil else { continue }
            switch preparation {
            case .replace(let ref, let reason):
                progress("replacing \(ref): \(reason)")
                try await ensureDeleted([ref])
            case .mergePatch(let ref, let patch, let reason):
                progress("patching \(ref): \(reason)")
                _ = try await kube.mergePatch(ref, patch: patch)
            }
        }
    }

    /// Deletes objects this step wrote before and no longer wants; gone already counts as done.
    public func delete(_ refs: [ObjectRef]) async throws {
        guard !refs.isEmpty else { return }
        let kube = try requireKube()
        for ref in refs { _ = try await kube.delete(ref) }
    }

    /// Deletes objects and waits until they are gone (a finalizer may hold one for a while), so a
    /// step is recorded only once what it no longer wants is really deleted.
    public func ensureDeleted(_ refs: [ObjectRef]) async throws {
        guard !refs.isEmpty else { return }
        let kube = try requireKube()
        for ref in refs {
            guard try await kube.get(ref) != nil else { continue }
            progress("deleting \(ref)")
            try await kube.delete(ref)
            try await wait(for: "\(ref) to be deleted") { try await kube.get(ref) == nil }
        }
    }

    /// The object as the engine writes it: with the managed-by label and the step annotation.
    public func stamped(_ object: Value) -> Value {
        var object = object
        var metadata = object["metadata"]?.objectValue ?? Object()
        var labels = metadata["labels"]?.objectValue ?? Object()
        labels["app.kubernetes.io/managed-by"] = "bootstrap"
        metadata["labels"] = .object(labels)
        var annotations = metadata["annotations"]?.objectValue ?? Object()
        annotations[Ledger.stepAnnotation] = .string("\(playbookName)/\(stepID)")
        metadata["annotations"] = .object(annotations)
        object["metadata"] = .object(metadata)
        return object
    }

    /// Objects whose live state lacks what the step wants, described one per line.
    public func drift(of objects: [Value]) async throws -> [String] {
        let kube = try requireKube()
        var drift: [String] = []
        for object in objects {
            guard let ref = ObjectRef(object) else { continue }
            // A server-side apply answers with the object as stored: no need to read it again.
            let stored: Value?
            if let response = applied.response(for: ref) { stored = response } else { stored = try await kube.get(ref) }
            guard let live = stored else {
                drift.append("\(ref) is missing")
                continue
            }
            let paths = Diff.missing(Diff.asStored(stamped(object)), in: live)
            if !paths.isEmpty { drift.append("\(ref) differs at \(paths.prefix(3).joined(separator: ", "))") }
        }
        return drift
    }

    /// Polls until `condition` holds, reporting what is awaited, or fails after ``waitTimeout``.
    ///
    /// Polls start fast and back off to `every`: most things are ready within milliseconds, and a
    /// fixed long interval would make every wait cost at least that much.
    public func wait(for what: String, every interval: Duration = .milliseconds(200),
                     until condition: @Sendable () async throws -> Bool) async throws {
        progress("waiting for \(what)")
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: waitTimeout)
        var pause = min(Duration.milliseconds(5), interval)
        while true {
            if try await condition() { return }
            if clock.now >= deadline { throw StepError("timed out after \(waitTimeout) waiting for \(what)") }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, interval)
        }
    }
}

/// A step's own failure, with a message for the operator.
public struct StepError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The objects a step applied in this run, as the API server stored them.
public final class AppliedObjects: Sendable {
    private let objects = Mutex<[ObjectRef: Value]>([:])
    public init() {}
    func record(_ ref: ObjectRef, _ object: Value) { objects.withLock { $0[ref] = object } }
    /// The object as the apply stored it, nil when this step did not apply it.
    public func response(for ref: ObjectRef) -> Value? { objects.withLock { $0[ref] } }
}
