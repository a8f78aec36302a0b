/// A numeric owner, as `chown` takes it.
public struct FileOwner: Sendable, Hashable, CustomStringConvertible {
    public var uid: UInt32
    public var gid: UInt32
    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }
    public var description: String { "\(uid):\(gid)" }
}

/// What `lstat` reports about a path.
public struct FileStatus: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case file, directory, symlink, other }
    public var kind: Kind
    /// Permission bits including setuid, setgid and sticky.
    public var mode: UInt16
    public var owner: FileOwner
    public var size: Int64
    public var links: Int
    /// Device and inode: equal for hard links.
    public var identity: FileIdentity
    /// Last modification and last inode change, `seconds.nanoseconds`: any write moves them.
    public var times: String

    public init(kind: Kind, mode: UInt16, owner: FileOwner, size: Int64, links: Int, identity: FileIdentity, times: String = "") {
        self.kind = kind
        self.mode = mode
        self.owner = owner
        self.size = size
        self.links = links
        self.identity = identity
        self.times = times
    }
}

/// Device and inode of a file.
public struct FileIdentity: Sendable, Hashable {
    public var device: UInt64
    public var inode: UInt64
    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }
}

/// A mode as `chmod` takes it: four octal digits.
public func octal(_ mode: UInt16) -> String {
    let digits = String(mode, radix: 8)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

/// Parses an octal mode such as `0750`; nil when it is not one.
public func parseMode(_ text: String) -> UInt16? {
    guard !text.isEmpty, text.count <= 5, let value = UInt16(text, radix: 8), value <= 0o7777 else { return nil }
    return value
}
