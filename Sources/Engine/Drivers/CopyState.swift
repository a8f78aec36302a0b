/// For `bootstrap rollback`: one data copy a step made, and whether its source is as it was copied.
public struct CopyState: Sendable {
    public enum Source: String, Sendable {
        /// The source's fingerprint now is the one recorded when the copy was verified.
        case unchanged
        /// Something wrote to the source since the copy (compose ran again, or a person).
        case changed
        /// The copy never finished: compose's data is the only copy.
        case notCopied = "not copied"
        /// Copied before fingerprints were recorded: nothing to compare with.
        case unknown
    }
    public var name: String
    public var from: String
    public var to: String
    public var copiedAt: String?
    public var source: Source
    public init(name: String, from: String, to: String, copiedAt: String?, source: Source) {
        self.name = name
        self.from = from
        self.to = to
        self.copiedAt = copiedAt
        self.source = source
    }
}
