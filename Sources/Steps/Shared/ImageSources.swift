import Document

/// Image repositories their owners call temporary: a node that pulls from one stops working when
/// the owner removes it, at a time nobody here chooses.
enum ImageSources {
    static let temporary: [(prefix: String, why: String)] = [
        ("bitnamilegacy/", "Bitnami's legacy repository \"will receive no further updates or support and should only be used for temporary "
            + "migration purposes\" (bitnami/containers#83267)"),
    ]

    /// Why an image reference or repository comes from a temporary repository, or nil.
    static func temporaryProblem(_ reference: String) -> String? {
        let name = reference.hasPrefix("docker.io/") ? String(reference.dropFirst("docker.io/".count)) : reference
        guard let entry = temporary.first(where: { name.hasPrefix($0.prefix) }) else { return nil }
        return "\(reference) comes from \(entry.prefix.dropLast()), which its owner calls temporary: \(entry.why); "
            + "use an image its publisher maintains (the project's official image)"
    }

    /// The path of every string inside `value` (chart values) that names an image of a temporary
    /// repository, with the reason.
    static func temporaryImages(in value: Value, path: [String] = []) -> [(path: [String], problem: String)] {
        switch value {
        case .string(let text): return temporaryProblem(text).map { [(path, $0)] } ?? []
        case .object(let object): return object.keys.sorted().flatMap { temporaryImages(in: object[$0]!, path: path + [$0]) }
        case .array(let items): return items.enumerated().flatMap { temporaryImages(in: $0.element, path: path + [String($0.offset)]) }
        default: return []
        }
    }
}
