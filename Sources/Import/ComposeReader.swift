import Platform
import Document
import FoundationEssentials

/// Step 1 of the import: the compose files as YAML nodes with their positions, services merged in
/// file order (a later file's keys replace an earlier file's, as `docker compose -f a -f b` does).
public struct ComposeProject: Sendable {
    public struct Service: Sendable {
        public var name: String
        public var mark: Mark
        /// The service's keys in the order written (later files' keys appended or replaced).
        public var keys: [(key: Node, value: Node)]
        public subscript(key: String) -> Node? { keys.first { $0.key.scalarText == key }?.value }
    }
    public var services: [Service]
    /// Top-level keys other than `services` and `version`, for the report.
    public var otherKeys: [(file: String, key: Node)]
    /// The directory of the first compose file: `./` paths are relative to it.
    public var directory: String
}

public enum ComposeReader {
    static let readableVersions = ["2", "3"]

    public static func read(files: [String]) throws(Diagnostics) -> ComposeProject {
        var problems: [Diagnostic] = []
        var services: [ComposeProject.Service] = []
        var others: [(file: String, key: Node)] = []
        for file in files {
            let text: String
            do { text = try TextFile.read(file) } catch {
                problems.append(.error("cannot read compose file: \(error.reason)", at: error.mark(in: file)))
                continue
            }
            let root: Node
            do { root = try YAML.parseOne(text, file: file) } catch {
                problems += error.items
                continue
            }
            guard let pairs = root.mapping else {
                problems.append(.error("not a compose file: expected a mapping with `services`, found \(root.kindName)", at: root.mark))
                continue
            }
            if let version = root["version"] {
                let text = version.scalarText ?? ""
                let major = text.split(separator: ".").first.map(String.init) ?? ""
                if !readableVersions.contains(major) {
                    problems.append(.error("compose file version \"\(text)\" cannot be read: versions 2.x and 3.x (or none, the Compose Specification) are", at: version.mark))
                }
            }
            guard let serviceNode = root["services"] else {
                problems.append(.error("not a compose file: no `services` mapping", at: root.mark))
                continue
            }
            guard let servicePairs = serviceNode.mapping else {
                problems.append(.error("`services` must be a mapping, found \(serviceNode.kindName)", at: serviceNode.mark))
                continue
            }
            for pair in pairs {
                let key = pair.key.scalarText ?? ""
                if key != "services" && key != "version" { others.append((file, pair.key)) }
            }
            for pair in servicePairs {
                guard let name = pair.key.scalarText else {
                    problems.append(.error("a service name must be text", at: pair.key.mark)); continue
                }
                guard let keys = pair.value.mapping else {
                    problems.append(.error("service \"\(name)\" must be a mapping, found \(pair.value.kindName)", at: pair.value.mark)); continue
                }
                if let index = services.firstIndex(where: { $0.name == name }) {
                    for entry in keys {
                        if let existing = services[index].keys.firstIndex(where: { $0.key.scalarText == entry.key.scalarText }) {
                            services[index].keys[existing] = entry
                        } else {
                            services[index].keys.append(entry)
                        }
                    }
                } else {
                    services.append(.init(name: name, mark: pair.key.mark, keys: keys))
                }
            }
        }
        if !problems.isEmpty { throw Diagnostics(problems.sorted { ($0.mark?.file ?? "", $0.mark?.line ?? 0, $0.mark?.column ?? 0) < ($1.mark?.file ?? "", $1.mark?.line ?? 0, $1.mark?.column ?? 0) }) }
        let directory = URL(fileURLWithPath: files.first ?? ".").deletingLastPathComponent().path
        return ComposeProject(services: services, otherKeys: others, directory: directory)
    }
}
