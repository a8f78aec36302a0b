import Document

/// One change, as a watch reports it.
struct WatchEvent {
    var resourceVersion: Int
    var type: String
    var storageKey: String
    var object: Value
}

/// A bounded log of recent changes; a watch from before its start gets 410 Gone, as from etcd compaction.
struct EventLog {
    static let capacity = 20_000
    private(set) var items: [WatchEvent] = []
    private var head = 0

    mutating func append(_ event: WatchEvent) {
        items.append(event)
        if items.count - head > Self.capacity { head += Self.capacity / 4 }
        if head > Self.capacity { items.removeFirst(head); head = 0 }
    }

    var oldest: Int? { head < items.count ? items[head].resourceVersion : nil }

    func since(_ resourceVersion: Int) -> ArraySlice<WatchEvent> {
        var lo = head, hi = items.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if items[mid].resourceVersion <= resourceVersion { lo = mid + 1 } else { hi = mid }
        }
        return items[lo...]
    }
}

/// What one watch asks for.
struct WatchRequest {
    var type: ResourceType
    var namespace: String?
    var labels: Selector?
    var fields: Selector?

    func matches(_ object: Value) -> Bool {
        if type.namespaced, let namespace, object[path: ["metadata", "namespace"]]?.stringValue != namespace { return false }
        if let labels, !labels.matchesLabels(of: object) { return false }
        if let fields, !fields.matchesFields(of: object) { return false }
        return true
    }
}

extension Store {
    /// Events after `cursor` for this watch, the new cursor, or nil when `cursor` is too old.
    func watchEvents(_ w: WatchRequest, after cursor: Int) -> (events: [Value], cursor: Int)? {
        if let oldest = events.oldest, cursor < oldest - 1 { return nil }
        var out: [Value] = []
        for e in events.since(cursor) where e.storageKey == w.type.storageKey && w.matches(e.object) {
            out.append(["type": .string(e.type), "object": served(e.object, as: w.type)])
        }
        return (out, resourceVersion)
    }

    /// The initial ADDED events of a watch without a resourceVersion.
    func initialEvents(_ w: WatchRequest) -> [Value] {
        let list = list(w.type, ns: w.namespace, labels: w.labels, fields: w.fields)
        return (list["items"]?.arrayValue ?? []).map { ["type": "ADDED", "object": $0] }
    }
}
