import Document

/// Steps as a dependency graph, checked: no unknown `needs`, no cycles. It knows ids and the
/// needs between them, not what a step is: the Playbook module builds one from a playbook
/// (as Terraform's `internal/dag` knows nothing of configuration).
public struct StepGraph: Sendable {
    /// A step as the graph sees it: its id and the ids it needs, each with where it was written.
    public struct Node: Sendable {
        public var id: String
        public var needs: [Need]
        public init(id: String, needs: [Need] = []) {
            self.id = id
            self.needs = needs
        }
    }

    /// One entry of a step's `needs`.
    public struct Need: Sendable {
        public var id: String
        public var mark: Mark?
        public init(_ id: String, at mark: Mark? = nil) {
            self.id = id
            self.mark = mark
        }
    }

    /// Step ids in playbook order.
    public let ids: [String]
    /// What each step needs, in the order written.
    public let needs: [String: [String]]
    /// Which steps need each step.
    public let dependents: [String: [String]]
    /// A topological order, stable: among ready steps the one written first comes first.
    public let order: [String]

    /// The graph of `nodes`, in the order given (playbook order), or every problem found.
    public static func build(_ nodes: [Node]) throws(Diagnostics) -> StepGraph {
        var problems: [Diagnostic] = []
        let ids = nodes.map(\.id)
        let known = Set(ids)
        var needs: [String: [String]] = [:]
        var dependents: [String: [String]] = [:]
        var marks: [String: [String: Mark]] = [:]
        var suggester = Suggester(ids)
        for step in nodes {
            var list: [String] = []
            for reference in step.needs {
                if reference.id == step.id {
                    problems.append(.error("step \"\(step.id)\" needs itself", at: reference.mark))
                } else if !known.contains(reference.id) {
                    problems.append(.error("step \"\(step.id)\" needs unknown step \"\(reference.id)\"\(suggester.hint(for: reference.id))",
                                           at: reference.mark))
                } else if !list.contains(reference.id) {
                    list.append(reference.id)
                    dependents[reference.id, default: []].append(step.id)
                    if let mark = reference.mark { marks[step.id, default: [:]][reference.id] = mark }
                }
            }
            needs[step.id] = list
        }
        if !problems.isEmpty { throw Diagnostics(problems) }

        for cycle in findCycles(ids: ids, needs: needs) {
            // Point at the `needs` entry that closes the cycle: the first step's need of the second.
            let mark = marks[cycle[0]]?[cycle[1]]
            problems.append(.error("dependency cycle: \(cycle.joined(separator: " -> "))", at: mark))
        }
        if !problems.isEmpty { throw Diagnostics(problems) }
        let order = topologicalOrder(ids: ids, needs: needs, dependents: dependents)
        return StepGraph(ids: ids, needs: needs, dependents: dependents, order: order)
    }

    /// Every step that depends on `id`, directly or not, in playbook order.
    public func transitiveDependents(of id: String) -> [String] {
        var seen: Set<String> = []
        var stack = dependents[id] ?? []
        while let next = stack.popLast() {
            if seen.insert(next).inserted { stack += dependents[next] ?? [] }
        }
        return ids.filter(seen.contains)
    }

    /// Cycles as id paths that end where they start (`a -> b -> a`), one per cycle found, deterministic.
    static func findCycles(ids: [String], needs: [String: [String]]) -> [[String]] {
        enum Color { case white, grey, black }
        var color: [String: Color] = [:]
        var cycles: [[String]] = []
        var seenCycles: Set<[String]> = []
        for start in ids where color[start, default: .white] == .white {
            // Iterative DFS: the path on the stack is the chain of needs from `start`.
            var path: [String] = [start]
            var iterators: [Int] = [0]
            color[start] = .grey
            while let current = path.last {
                let edges = needs[current] ?? []
                let index = iterators[iterators.count - 1]
                if index < edges.count {
                    iterators[iterators.count - 1] += 1
                    let next = edges[index]
                    switch color[next, default: .white] {
                    case .white:
                        color[next] = .grey
                        path.append(next)
                        iterators.append(0)
                    case .grey:
                        let from = path.lastIndex(of: next)!
                        var cycle = Array(path[from...])
                        // Start the printed cycle at the step written first, so the text is stable.
                        let rotate = cycle.indices.min { ids.firstIndex(of: cycle[$0])! < ids.firstIndex(of: cycle[$1])! }!
                        cycle = Array(cycle[rotate...] + cycle[..<rotate])
                        if seenCycles.insert(cycle).inserted { cycles.append(cycle + [cycle[0]]) }
                    case .black:
                        break
                    }
                } else {
                    color[current] = .black
                    path.removeLast()
                    iterators.removeLast()
                }
            }
        }
        return cycles
    }

    static func topologicalOrder(ids: [String], needs: [String: [String]], dependents: [String: [String]]) -> [String] {
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        var remaining = needs.mapValues(\.count)
        var ready = MinHeap<Int>()
        for (index, id) in ids.enumerated() where remaining[id] == 0 { ready.push(index) }
        var order: [String] = []
        order.reserveCapacity(ids.count)
        while let index = ready.pop() {
            let id = ids[index]
            order.append(id)
            for dependent in dependents[id] ?? [] {
                remaining[dependent]! -= 1
                if remaining[dependent] == 0 { ready.push(position[dependent]!) }
            }
        }
        return order
    }
}

/// A binary min-heap, for picking the earliest-written ready step in O(log n).
struct MinHeap<T: Comparable> {
    private var items: [T] = []

    mutating func push(_ item: T) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> T? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, items[left] < items[smallest] { smallest = left }
            if right < items.count, items[right] < items[smallest] { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
