import Document

/// The hand edits a reviewed import lists in its leading comment, and where two playbooks differ,
/// so a test can hold the reviewed playbook to "the import plus exactly these edits".
///
/// A path is a step id (or a top-level key such as `vars`) followed by keys, joined by `.`:
/// `k3s.with.oidc`. An entry of a list whose entries all carry a `name` (volumes, routes, ports)
/// is addressed by that name, so reordering such a list is no difference; other lists are compared
/// whole. `*` in a listed path stands for one name (no `.`); a listed path also covers everything
/// below it.
enum HandEdits {
    /// The paths listed under the line starting with `marker`: entries are `#   PATH… : why`, an
    /// entry's continuation lines are indented further, and a line `#` ends the list.
    static func listed(in text: String, marker: String = "# Hand edits after generation") -> [String] {
        var entries: [String] = []
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix(marker) { inside = true; continue }
            guard inside else { continue }
            if line == "#" || !line.hasPrefix("#") { break }
            if line.hasPrefix("#     ") { if !entries.isEmpty { entries[entries.count - 1] += " " + line.dropFirst(6) } }
            else if line.hasPrefix("#   ") { entries.append(String(line.dropFirst(4))) }
        }
        return entries.flatMap { entry -> [String] in
            let paths = entry.range(of: ": ").map { String(entry[..<$0.lowerBound]) } ?? entry
            return paths.split(separator: " ").map(String.init)
        }
    }

    /// Every path at which two playbooks differ (a value changed, added or removed).
    static func differences(_ generated: Value, _ reviewed: Value) -> [String] {
        func keyed(_ root: Value) -> Value {
            var object = root.objectValue ?? Object()
            let steps = object["steps"]?.arrayValue ?? []
            object["steps"] = nil
            for step in steps { object[step["id"]?.stringValue ?? "?"] = step }
            return .object(object)
        }
        var out: [String] = []
        walk(keyed(generated), keyed(reviewed), [], &out)
        return out
    }

    private static func walk(_ a: Value?, _ b: Value?, _ path: [String], _ out: inout [String]) {
        switch (a, b) {
        case (.object(let x)?, .object(let y)?):
            var keys = x.keys
            for key in y.keys where x[key] == nil { keys.append(key) }
            for key in keys { walk(x[key], y[key], path + [key], &out) }
        case (.array(let x)?, .array(let y)?) where named(x) && named(y):
            let left = Object(x.map { ($0["name"]!.stringValue!, $0) })
            let right = Object(y.map { ($0["name"]!.stringValue!, $0) })
            walk(.object(left), .object(right), path, &out)
        default:
            if a != b { out.append(path.joined(separator: ".")) }
        }
    }

    /// A list of mappings each with a distinct `name`.
    private static func named(_ items: [Value]) -> Bool {
        let names = items.compactMap { $0["name"]?.stringValue }
        return !items.isEmpty && names.count == items.count && Set(names).count == names.count
    }

    /// Whether the listed `pattern` covers the difference at `path`.
    static func covers(_ pattern: String, _ path: String) -> Bool {
        matches(Array(pattern), 0, Array(path), 0)
    }

    private static func matches(_ p: [Character], _ i: Int, _ s: [Character], _ j: Int) -> Bool {
        if i == p.count { return j == s.count || s[j] == "." }
        if p[i] == "*" {
            var k = j
            while k < s.count && s[k] != "." {
                k += 1
                if matches(p, i + 1, s, k) { return true }
            }
            return false
        }
        return j < s.count && p[i] == s[j] && matches(p, i + 1, s, j + 1)
    }
}
