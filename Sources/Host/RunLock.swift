import Document
import FoundationEssentials
import Platform
import Synchronization

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

    /// One taking of the lock; ``release()`` gives it up (once, however often it is called).
    public final class Hold: Sendable {
        let file: String
        let released = Mutex(false)
        init(file: String) { self.file = file }
        public func release() {
            guard released.withLock({ done in defer { done = true }; return !done }) else { return }
            RunLock.release(file)
        }
    }

    /// The locks this process holds, by file, with how many takings each: a rehearsal's session
    /// takes the lock before it writes anything, and its apply takes it again. flock(2) would refuse
    /// the second taking on another descriptor, so the process counts its own.
    private static let held = Mutex<[String: (lock: FileLock, count: Int)]>([:])

    private static func release(_ file: String) {
        held.withLock { table in
            guard var entry = table[file] else { return }
            entry.count -= 1
            if entry.count == 0 { entry.lock.release(); table[file] = nil } else { table[file] = entry }
        }
    }

    /// Takes the lock for `identity`, or throws ``Held`` naming who has it. Taking it again in a
    /// process that holds it succeeds.
    public static func acquire(on host: any HostSystem, identity: String) throws -> Hold {
        let file = host.path(path)
        let retaken = held.withLock { table in
            guard var entry = table[file] else { return false }
            entry.count += 1
            table[file] = entry
            return true
        }
        if retaken { return Hold(file: file) }
        // bootstrap's own state directory, made outside the host log: it is no change a plan shows.
        try? Files.createDirectory(PathText.parent(file))
        let note = "\(identity) since \(Timestamp.now())\n"
        do {
            guard let lock = try FileLock.tryLock(file, note: note) else {
                let holder = (try? Files.read(file)).map { String(decoding: $0, as: UTF8.self).trimming(.whitespaceAndNewlines) }
                throw Held(holder: holder.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown")
            }
            held.withLock { $0[file] = (lock, 1) }
            return Hold(file: file)
        } catch let error as SystemError {
            throw HostError.io("cannot take the node's lock \(path): \(error.reason)")
        }
    }
}
