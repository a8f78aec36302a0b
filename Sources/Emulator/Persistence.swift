#if canImport(Glibc)
import Glibc
#endif
import Document
import Foundation

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
    }

    /// Temp file, fsync, rename: a crash leaves the old state or the new one, never half of one.
    func save(to path: String) throws {
        let bytes = Array(JSON.encode(snapshot(), options: .revealSecrets).utf8)
        let temp = "\(path).tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw EmulatorError("cannot write \(temp): \(String(cString: strerror(errno)))") }
        let ok = writeFile(fd, bytes) && fsync(fd) == 0
        close(fd)
        guard ok, rename(temp, path) == 0 else {
            unlink(temp)
            throw EmulatorError("cannot save state to \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func load(from path: String) throws -> Value? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw EmulatorError("cannot read \(path)") }
        do { return try JSON.decode([UInt8](data)) } catch { throw EmulatorError("state file \(path) is not valid JSON: \(error)") }
    }
}

private func writeFile(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
    }
    return true
}
