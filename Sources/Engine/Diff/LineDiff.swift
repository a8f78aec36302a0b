/// A unified line diff of two texts, as a reviewer reads config files and Helm values.
public enum LineDiff {
    /// Lines `  same`, `- old`, `+ new`, with `context` unchanged lines around each change and
    /// `  ...` where unchanged lines are left out.
    public static func lines(from old: String, to new: String, context: Int = 2) -> [String] {
        let a = split(old), b = split(new)
        let script = edits(a, b)
        // Keep the changes and `context` lines on either side of each.
        var keep = [Bool](repeating: false, count: script.count)
        for (i, edit) in script.enumerated() where edit.mark != " " {
            for j in max(0, i - context)...min(script.count - 1, i + context) { keep[j] = true }
        }
        var out: [String] = []
        var skipped = false
        for (i, edit) in script.enumerated() {
            if keep[i] {
                if skipped { out.append("  ..."); skipped = false }
                out.append("\(edit.mark) \(edit.line)")
            } else {
                skipped = true
            }
        }
        if skipped && !out.isEmpty { out.append("  ...") }
        return out
    }

    static func split(_ text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The shortest edit script by longest common subsequence. Texts past a size where the table
    /// would be large are shown as all old lines removed and all new ones added.
    static func edits(_ a: [Substring], _ b: [Substring]) -> [(mark: Character, line: Substring)] {
        // Common head and tail first: most edits touch a few lines of a long file.
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let x = Array(a[head..<(a.count - tail)]), y = Array(b[head..<(b.count - tail)])
        var middle: [(mark: Character, line: Substring)] = []
        if x.count * y.count > 4_000_000 {
            middle = x.map { ("-", $0) } + y.map { ("+", $0) }
        } else {
            var table = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
            for i in stride(from: x.count - 1, through: 0, by: -1) {
                for j in stride(from: y.count - 1, through: 0, by: -1) {
                    table[i][j] = x[i] == y[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
                }
            }
            var i = 0, j = 0
            while i < x.count || j < y.count {
                if i < x.count, j < y.count, x[i] == y[j] {
                    middle.append((" ", x[i])); i += 1; j += 1
                } else if i < x.count, j == y.count || table[i + 1][j] >= table[i][j + 1] {
                    // Removed lines before added ones, as diff(1) prints a replaced block.
                    middle.append(("-", x[i])); i += 1
                } else {
                    middle.append(("+", y[j])); j += 1
                }
            }
        }
        return a[..<head].map { (" ", $0) } + middle + a[(a.count - tail)...].map { (" ", $0) }
    }
}
