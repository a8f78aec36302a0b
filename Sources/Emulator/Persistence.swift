import Document
import FoundationEssentials
import Platform
import Synchronization

/// The state file: every object, the resourceVersion counter and the forced HelmChart failures.
extension Store {
    func snapshot() -> Value {
        var items: [Value] = []
        for key in objects.keys.sorted() {
            let group = objects[key]!
            for name in group.keys.sorted() { items.append(group[name]!) }
        }
        return [
            "resourceVersion": .int(resourceVersion),
            "helmFailures": .array(helmFailures.sorted().map { .string($0) }),
            "crdFingerprint": .string(crdFingerprint),
            "objects": .array(items),
        ]
    }

    /// CRDs first, so the custom resources after them find their types.
    mutating func restore(_ state: Value) {
        let items = state["objects"]?.arrayValue ?? []
        let isCRD = { (o: Value) in o["kind"]?.stringValue == "CustomResourceDefinition" }
        for o in items.filter(isCRD) + items.filter({ !isCRD($0) }) {
            guard let apiVersion = o["apiVersion"]?.stringValue, let kind = o["kind"]?.stringValue,
                  let t = registry.lookup(apiVersion: apiVersion, kind: kind) else { continue }
            let name = o[path: ["metadata", "name"]]?.stringValue ?? ""
            let ns = t.namespaced ? o[path: ["metadata", "namespace"]]?.stringValue : nil
            objects[t.storageKey, default: [:]][Self.key(ns, name)] = o
            if isCRD(o) { establish(o) }
        }
        resourceVersion = max(resourceVersion, state["resourceVersion"]?.intValue ?? 0)
        helmFailures.formUnion((state["helmFailures"]?.arrayValue ?? []).compactMap(\.stringValue))
        crdFingerprint = state["crdFingerprint"]?.stringValue ?? ""
    }

    /// Temp file, then rename: a killed emulator leaves the old state or the new one, never half of one.
    /// No fsync: the state must survive restarts of a test tool, not power loss, and a sync per
    /// write was most of a rehearsal's time.
    func save(to path: String) throws {
        try Self.write(snapshot(), to: path)
    }

    static func write(_ snapshot: Value, to path: String) throws {
        let bytes = Array(JSON.encode(snapshot, options: .revealSecrets).utf8)
        do { try Files.writeAtomically(path, bytes, mode: 0o600, durable: false) } catch {
            if error.call == "open" { throw EmulatorError("cannot write \(error.subject): \(error.reason)") }
            throw EmulatorError("cannot save state to \(path): \(error.reason)")
        }
    }

    static func load(from path: String) throws -> Value? {
        guard Files.exists(path) else { return nil }
        guard let data = try? Files.read(path) else { throw EmulatorError("cannot read \(path)") }
        do { return try JSON.decode(data) } catch { throw EmulatorError("state file \(path) is not valid JSON: \(error)") }
    }
}

/// Writes the state file off the request path: a write only marks the state changed, and the
/// writer saves a snapshot shortly after, so a burst of writes costs one save.
final class StateWriter: Sendable {
    let path: String
    /// How to take the snapshot; set by each change, cleared once written (it holds the server).
    private let snapshot = Mutex<(@Sendable () -> Value)?>(nil)
    /// Held for a whole save, so the delayed save and flush() never write at once.
    private let saving = Mutex(())
    private let dirty = Mutex(false)
    /// How long changes may gather before they are written.
    static let delay = Duration.milliseconds(20)

    init(path: String) { self.path = path }

    func changed(_ take: @escaping @Sendable () -> Value) {
        snapshot.withLock { $0 = take }
        let wasClean = dirty.withLock { flag -> Bool in
            defer { flag = true }
            return !flag
        }
        // The first change after a save starts the delayed save; later ones only join it.
        if wasClean {
            Blocking.thread(name: "emulator-state") {
                Pause.blocking(for: Self.delay)
                self.writePending()
            }
        }
    }

    /// Returns once everything changed so far is on disk.
    func flush() { writePending() }

    private func writePending() {
        saving.withLock { _ in
            guard dirty.withLock({ flag -> Bool in defer { flag = false }; return flag }),
                  let take = snapshot.withLock({ slot in defer { slot = nil }; return slot }) else { return }
            do { try Store.write(take(), to: path) } catch {
                StandardStream.error.write("emulator: \(SystemError.message(of: error))\n")
            }
        }
    }
}

extension Store {
    /// Names, sizes and modification times of the YAML files in a CRD directory.
    static func fingerprint(ofCRDs directory: String) -> String {
        let names = ((try? Files.list(directory)) ?? []).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
        return names.map { name -> String in
            guard let info = try? FileInfo.of(directory + "/" + name, followingLinks: true) else { return name }
            return "\(name):\(info.size):\(info.modifiedSeconds).\(info.modifiedNanoseconds)"
        }.joined(separator: ";")
    }
}
