import FoundationEssentials

/// A chart directory as Helm reads a chart archive: a gzip-compressed tar of `<name>/<file>`
/// entries. Written byte for byte the same for the same files (no times, owners or compression
/// choices that vary), so the HelmChart's `spec.chartContent` changes only when a file does.
/// The gzip stream uses deflate's stored blocks (RFC 1951 3.2.4): a chart is a few kilobytes, and
/// Go's compress/gzip, which Helm's loader uses, reads them like any other.
enum ChartArchive {
    /// The `.tgz` of `files` (relative path, content) under the directory `root`.
    static func tgz(root: String, files: [(path: String, content: [UInt8])]) -> [UInt8] {
        var tar: [UInt8] = []
        for (path, content) in files.sorted(by: { $0.path < $1.path }) {
            tar += header(name: root + "/" + path, size: content.count)
            tar += content
            tar += [UInt8](repeating: 0, count: (512 - content.count % 512) % 512)
        }
        tar += [UInt8](repeating: 0, count: 1024)
        return gzip(tar)
    }

    /// A ustar header for a regular file, mode 0644, owned by 0:0, time 0.
    static func header(name: String, size: Int) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, byte) in text.utf8.enumerated() { block[offset + i] = byte } }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
        }
        put(name, at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        put("        ", at: 148)
        put("0", at: 156)
        put("ustar\u{0}00", at: 257)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7) + "\u{0} ", at: 148)
        return block
    }

    /// RFC 1952 gzip of `data` in stored deflate blocks.
    static func gzip(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]
        var offset = 0
        repeat {
            let count = min(65535, data.count - offset)
            let final: UInt8 = offset + count == data.count ? 1 : 0
            out += [final, UInt8(count & 0xff), UInt8(count >> 8), UInt8(~count & 0xff), UInt8((~count >> 8) & 0xff)]
            out += data[offset..<offset + count]
            offset += count
        } while offset < data.count
        out += littleEndian(crc32(data)) + littleEndian(UInt32(truncatingIfNeeded: data.count))
        return out
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xff) } }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xffff_ffff
        for byte in data { c = crcTable[Int((c ^ UInt32(byte)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xffff_ffff
    }
}
