import Platform

/// A plain SHA-256 of content without secrets (a tree's metadata, say), as `sha256:HEX`.
public enum ContentDigest {
    public static func sha256(_ bytes: [UInt8]) -> String { "sha256:" + SHA256.hash(data: bytes).hex }
}
