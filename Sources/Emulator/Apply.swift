import Document

/// Server-side apply after structured-merge-diff, on the shapes of ``Shape``: each manager's fields are
/// recorded in `metadata.managedFields` (FieldsV1: `f:` fields and map keys, `k:` items of map lists,
/// `v:` items of sets, `.` an item itself); atomic structs, maps and lists are one field, replaced
/// whole; map lists merge item by item on their keys, sets by value. A field another manager owns with
/// a different value is a conflict unless the apply is forced, which takes it over.
enum Apply {
    /// A field path as FieldsV1 spells its steps.
    typealias Path = [String]

    struct Conflicts: Error {
        /// (the other manager's managedFields entry, the field) in the order found.
        var items: [(entry: Value, path: Path)]
    }

    static func apply(live: Value?, applied: Value, shape: Shape, manager: String, force: Bool, now: String) throws(Conflicts) -> Value {
        let newFields = fields(of: applied, shape: shape)
        var result = live ?? .object(Object())
        var entries = result[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        let isMine = { (e: Value) in e["manager"]?.stringValue == manager && e["operation"]?.stringValue == "Apply" && e["subresource"] == nil }
        let previous = entries.first(where: isMine)

        // Conflicts: a field this apply sets that another manager owns, with another value.
        var conflicts: [(entry: Value, path: Path)] = []
        var others: [(index: Int, fields: Set<Path>)] = []
        for (i, entry) in entries.enumerated() where !isMine(entry) {
            let owned = leafPaths(entry["fieldsV1"] ?? .null)
            others.append((i, owned))
            for path in owned.intersection(newFields).sorted(by: { $0.lexicographicallyPrecedes($1) }) where path.last != "." {
                if value(at: path[...], in: result) != value(at: path[...], in: applied) { conflicts.append((entry, path)) }
            }
        }
        if !conflicts.isEmpty {
            guard force else { throw Conflicts(items: conflicts) }
            // Forced: the fields change hands (structured-merge-diff merge/update.go, force).
            let taken = Set(conflicts.map(\.path))
            for (i, owned) in others {
                entries[i]["fieldsV1"] = tree(owned.subtracting(taken))
            }
        }

        // Fields this manager applied before and leaves out now go, unless someone else owns them too.
        if let oldFields = previous?["fieldsV1"] {
            let othersOwn = others.reduce(into: Set<Path>()) { $0.formUnion(leafPaths(entries[$1.index]["fieldsV1"] ?? .null)) }
            let stale = leafPaths(oldFields).subtracting(newFields).subtracting(othersOwn)
            // Whole items first: once their key fields are removed, they could no longer be found.
            for path in stale.sorted(by: { ($0.last == ".") && ($1.last != ".") }) { result = removing(path[...], from: result) }
        }
        result = merge(result, applied, shape: shape)

        let apiVersion = applied["apiVersion"] ?? .null
        let newTree = tree(newFields)
        var kept = entries.filter { !isMine($0) && !(($0["fieldsV1"]?.objectValue?.isEmpty) ?? false) }
        if let previous, previous["fieldsV1"] == newTree, previous["apiVersion"] == apiVersion {
            kept.insert(previous, at: 0)
        } else {
            kept.insert([
                "manager": .string(manager), "operation": "Apply", "apiVersion": apiVersion,
                "time": .string(now), "fieldsType": "FieldsV1", "fieldsV1": newTree,
            ], at: 0)
        }
        result["metadata"]?["managedFields"] = .array(kept)
        return result
    }

    /// A write that is not an apply (create, update, patch): the manager takes every field it changed,
    /// from whoever owned it, without conflicts, and fields it removed are no one's any more
    /// (structured-merge-diff merge/update.go, Update). The FieldsV1 trees are edited in place: the
    /// ledger's merge patches change one annotation of a thousand, and must not cost a thousand.
    static func recordUpdate(old: Value?, new: Value, shape: Shape, manager: String, subresource: String?, now: String) -> Value {
        var result = new
        var entries = new[path: ["metadata", "managedFields"]]?.arrayValue ?? old?[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        var removed: [Path] = []
        let changed = fields(of: new, shape: shape, changedSince: old ?? .object(Object()), removed: &removed)
        if !changed.isEmpty || !removed.isEmpty {
            for i in entries.indices {
                var fieldsV1 = entries[i]["fieldsV1"] ?? .object(Object())
                for path in changed { fieldsV1 = deleting(path[...], from: fieldsV1) }
                for path in removed { fieldsV1 = deleting(path[...], from: fieldsV1) }
                entries[i]["fieldsV1"] = fieldsV1
            }
        }
        if !changed.isEmpty {
            let isMine = { (e: Value) in e["manager"]?.stringValue == manager && e["operation"]?.stringValue == "Update" && e["subresource"]?.stringValue == subresource }
            var mine = entries.first(where: isMine)?["fieldsV1"] ?? .object(Object())
            for path in changed.sorted(by: { $0.lexicographicallyPrecedes($1) }) { mine = inserting(path[...], into: mine) }
            entries.removeAll(where: isMine)
            var entry: Value = [
                "manager": .string(manager), "operation": "Update", "apiVersion": new["apiVersion"] ?? .null,
                "time": .string(now), "fieldsType": "FieldsV1", "fieldsV1": mine,
            ]
            if let subresource { entry["subresource"] = .string(subresource) }
            entries.append(entry)
        }
        entries.removeAll { $0["fieldsV1"]?.objectValue?.isEmpty ?? true }
        result["metadata"]?["managedFields"] = entries.isEmpty ? nil : .array(entries)
        return result
    }

    /// The tree without the subtree at `path` (and without parents left empty).
    static func deleting(_ path: ArraySlice<String>, from tree: Value) -> Value {
        guard let step = path.first, case .object(var o) = tree, let child = o[step] else { return tree }
        if path.count == 1 {
            o[step] = nil
        } else {
            let rest = deleting(path.dropFirst(), from: child)
            o[step] = (rest.objectValue ?? Object()).isEmpty ? nil : rest
        }
        return .object(o)
    }

    static func inserting(_ path: ArraySlice<String>, into tree: Value) -> Value {
        guard let step = path.first else { return tree }
        var o = tree.objectValue ?? Object()
        if path.count == 1 {
            // A leaf; a field that had owned children keeps them.
            if o[step] == nil { o[step] = .object(Object()) }
        } else {
            o[step] = inserting(path.dropFirst(), into: o[step] ?? .object(Object()))
        }
        return .object(o)
    }

    // MARK: - Field sets

    /// The fields an object sets, as leaf paths. apiVersion, kind and the server's own metadata are no
    /// one's to own.
    ///
    /// With `changedSince`, only the fields whose value differs from that object's (an update's
    /// share), found in one walk of both.
    static func fields(of object: Value, shape: Shape, changedSince old: Value? = nil) -> Set<Path> {
        var removed: [Path] = []
        return fields(of: object, shape: shape, changedSince: old, removed: &removed)
    }

    /// `removed` gets the fields of `old` that `object` no longer has.
    static func fields(of object: Value, shape: Shape, changedSince old: Value?, removed: inout [Path]) -> Set<Path> {
        guard case .object(let top) = object else { return [] }
        var out = Set<Path>()
        for (key, _) in old?.objectValue ?? Object() where top[key] == nil && key != "apiVersion" && key != "kind" { removed.append(["f:\(key)"]) }
        let serverMetadata = ["name", "namespace", "resourceVersion", "uid", "managedFields", "creationTimestamp", "generation", "selfLink"]
        for (key, child) in top where key != "apiVersion" && key != "kind" {
            var before = old.map { $0[key] ?? .null }
            if key == "metadata", case .object(var meta) = child {
                for k in serverMetadata { meta[k] = nil }
                if case .object(var oldMeta)? = before {
                    for k in serverMetadata { oldMeta[k] = nil }
                    before = .object(oldMeta)
                }
                collect(.object(meta), shape: BuiltinSchema.objectMeta, prefix: ["f:metadata"], old: before, into: &out, removed: &removed, top: true)
                continue
            }
            collect(child, shape: shape.child(key, value: child) ?? .any, prefix: ["f:\(key)"], old: before, into: &out, removed: &removed)
        }
        return out
    }

    /// `old`: nil collects every field; a value (`.null` when absent) collects only what differs from it.
    private static func collect(_ value: Value, shape: Shape, prefix: Path, old: Value?, into out: inout Set<Path>,
                                removed: inout [Path], top: Bool = false) {
        if let old, old == value { return }
        if shape.isLeaf(for: value) { out.insert(prefix); return }
        let before = out.count
        switch shape.resolved {
        case .list(let element, let type):
            let oldItems = old?.arrayValue ?? []
            let items = value.arrayValue ?? []
            switch type {
            case .set: for item in oldItems where !items.contains(item) { removed.append(prefix + ["v:" + JSON.encode(item, options: .revealSecrets)]) }
            case .map(let keys):
                for item in oldItems {
                    let step = "k:" + keyJSON(item, keys)
                    if !items.contains(where: { matches($0, step) }) { removed.append(prefix + [step]) }
                }
            case .atomic: break
            }
            for item in items {
                switch type {
                case .set:
                    if old == nil || !oldItems.contains(item) { out.insert(prefix + ["v:" + JSON.encode(item, options: .revealSecrets)]) }
                case .map(let keys):
                    let step = "k:" + keyJSON(item, keys)
                    let oldItem = old == nil ? nil : Optional(oldItems.first { matches($0, step) } ?? .null)
                    if old == nil || oldItem == .null { out.insert(prefix + [step, "."]) }
                    collect(item, shape: element, prefix: prefix + [step], old: oldItem, into: &out, removed: &removed, top: true)
                case .atomic: break
                }
            }
        default:
            let object = value.objectValue ?? Object()
            for (key, _) in old?.objectValue ?? Object() where object[key] == nil { removed.append(prefix + ["f:\(key)"]) }
            for (key, child) in object {
                collect(child, shape: shape.child(key, value: child) ?? .any, prefix: prefix + ["f:\(key)"],
                        old: old.map { $0[key] ?? .null }, into: &out, removed: &removed)
            }
        }
        // An empty struct or list is still a field the manager set.
        if out.count == before && !top && (old == nil || old == .null) { out.insert(prefix) }
    }

    /// `{"name":"x"}`: a map list item's keys, sorted, as FieldsV1 spells them.
    static func keyJSON(_ item: Value, _ keys: [String]) -> String {
        var o = Object()
        for k in keys.sorted() { o[k] = item[k] ?? .null }
        return JSON.encode(.object(o), options: .revealSecrets)
    }

    /// Leaf paths of a FieldsV1 tree: every key whose value is empty.
    static func leafPaths(_ fieldsV1: Value, prefix: Path = []) -> Set<Path> {
        var out = Set<Path>()
        for (key, child) in fieldsV1.objectValue ?? Object() {
            if let o = child.objectValue, !o.isEmpty { out.formUnion(leafPaths(child, prefix: prefix + [key])) } else { out.insert(prefix + [key]) }
        }
        return out
    }

    /// The FieldsV1 tree of a set of leaf paths, keys sorted as the API server writes them.
    static func tree(_ paths: Set<Path>) -> Value {
        var groups: [String: Set<Path>] = [:]
        for path in paths where !path.isEmpty { groups[path[0], default: []].insert(Array(path.dropFirst())) }
        var out = Object()
        for key in groups.keys.sorted() {
            let rest = groups[key]!.filter { !$0.isEmpty }
            out[key] = rest.isEmpty ? .object(Object()) : tree(rest)
        }
        return .object(out)
    }

    // MARK: - Values at paths

    private static func matches(_ item: Value, _ step: String) -> Bool {
        if step.hasPrefix("k:"), let keys = try? JSON.decode(Array(step.dropFirst(2).utf8)) {
            return (keys.objectValue ?? Object()).allSatisfy { item[$0.key] ?? .null == $0.value }
        }
        if step.hasPrefix("v:"), let v = try? JSON.decode(Array(step.dropFirst(2).utf8)) { return item == v }
        return false
    }

    static func value(at path: ArraySlice<String>, in v: Value) -> Value? {
        guard let step = path.first else { return v }
        if step == "." { return v }
        if step.hasPrefix("f:") { return v[String(step.dropFirst(2))].flatMap { value(at: path.dropFirst(), in: $0) } }
        return v.arrayValue?.first { matches($0, step) }.flatMap { value(at: path.dropFirst(), in: $0) }
    }

    static func removing(_ path: ArraySlice<String>, from v: Value) -> Value {
        guard let step = path.first else { return v }
        let rest = path.dropFirst()
        if step.hasPrefix("f:"), case .object(var o) = v {
            let key = String(step.dropFirst(2))
            if rest.isEmpty { o[key] = nil } else if let child = o[key] { o[key] = removing(rest, from: child) }
            return .object(o)
        }
        guard case .array(var items) = v else { return v }
        if rest.isEmpty || rest == ["."] {
            items.removeAll { matches($0, step) }
        } else if let i = items.firstIndex(where: { matches($0, step) }) {
            items[i] = removing(rest, from: items[i])
        }
        return .array(items)
    }

    // MARK: - Merge

    /// The applied configuration merged into the live object, by shape.
    static func merge(_ live: Value, _ applied: Value, shape: Shape) -> Value {
        if shape.isLeaf(for: applied) { return applied }
        switch shape.resolved {
        case .list(let element, let type):
            guard case .array(var items) = live, case .array(let new) = applied else { return applied }
            for item in new {
                switch type {
                case .set: if !items.contains(item) { items.append(item) }
                case .map(let keys):
                    let step = "k:" + keyJSON(item, keys)
                    if let i = items.firstIndex(where: { matches($0, step) }) { items[i] = merge(items[i], item, shape: element) } else { items.append(item) }
                case .atomic: return applied
                }
            }
            return .array(items)
        default:
            guard case .object(let appliedObject) = applied, case .object(var result) = live else { return applied }
            for (key, value) in appliedObject {
                if value.isNull { result[key] = nil; continue }
                let childShape = shape.child(key, value: value) ?? .any
                if let existing = result[key] { result[key] = merge(existing, value, shape: childShape) } else { result[key] = value }
            }
            return .object(result)
        }
    }

    // MARK: - Errors as kube-apiserver words them

    /// A FieldsV1 path as structured-merge-diff prints it: `.spec.ports[name="http"].port`, `[="x"]`.
    static func printed(_ path: Path) -> String {
        var out = ""
        for step in path where step != "." {
            if step.hasPrefix("f:") { out += "." + step.dropFirst(2) }
            else if step.hasPrefix("v:") { out += "[=" + step.dropFirst(2) + "]" }
            else if step.hasPrefix("k:"), let keys = try? JSON.decode(Array(step.dropFirst(2).utf8)) {
                out += "[" + (keys.objectValue ?? Object()).map { "\($0.key)=\(JSON.encode($0.value))" }.joined(separator: ",") + "]"
            }
        }
        return out
    }

    /// `"kubectl"`, or `"kubectl-edit" using v1 at 2024-…` for an Update manager
    /// (staging/src/k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go, printManager).
    static func printedManager(_ entry: Value) -> String {
        var s = JSON.encode(entry["manager"] ?? "")
        if let sub = entry["subresource"]?.stringValue { s += " with subresource \(JSON.encode(.string(sub)))" }
        if entry["operation"]?.stringValue == "Update" {
            s += " using \(entry["apiVersion"]?.stringValue ?? "")"
            if let time = entry["time"]?.stringValue { s += " at \(time)" }
        }
        return s
    }
}
