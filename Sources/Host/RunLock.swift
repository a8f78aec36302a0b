import Document
import FoundationEssentials
import Platform

/// The node's own lock for one apply: host steps run before any API server exists (k3s itself,
/// datasets, copies), so the cluster Lease cannot keep two applies apart there. An flock on a file
/// under the host root, taken before any host work and held for the whole run; the kernel drops it
/// when the holder exits, however it exits.
public enum RunLock {
    public static let path = "/var/lib/bootstrap/apply.lock"

    /// Another apply on this node holds the lock.
    public struct Held: Error, Sendable, CustomStringConvertible {
        public var holder: String
        public var description: String {
            "another apply holds this node's lock (\(RunLock.path)): \(holder); it is released when that apply ends"
        }
    }

    /// Takes the lock for `identity`, or throws ``Held`` naming who has it.
    public static func acquire(on host: any HostSystem, identity: String) throws -> FileLock {
        let file = host.path(path)
        // bootstrap's own state directory, made outside the host log: it is no change a plan shows.
        try? FileManager.default.createDirectory(atPath: PathText.parent(file), withIntermediateDirectories: true)
        let note = "\(identity) since \(Timestamp.now())\n"
        do {
            guard let lock = try FileLock.tryLock(file, note: note) else {
                let holder = (try? String(contentsOfFile: file, encoding: .utf8))?.trimming(.whitespaceAndNewlines)
                throw Held(holder: holder.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown")
            }
            return lock
        } catch let error as SystemError {
            throw HostError.io("cannot take the node's lock \(path): \(error.reason)")
        }
    }
}
