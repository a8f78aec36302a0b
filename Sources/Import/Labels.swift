import Platform
import Document

/// Traefik's docker-provider labels of one service, parsed: routers, services and middlewares of
/// each protocol, and the labels that are not Traefik's.
struct TraefikLabels {
    struct Setting { var value: String; var mark: Mark }
    /// name -> option (lower case, dotted) -> value, in the order first written.
    typealias Table = [(name: String, options: [(key: String, setting: Setting)])]

    var enabled = false
    var enableMark: Mark?
    var http = Sections()
    var tcp = Sections()
    var udp = Sections()
    var other: [(key: String, setting: Setting)] = []

    struct Sections {
        var routers: Table = []
        var services: Table = []
        var middlewares: Table = []

        mutating func add(_ section: String, name: String, option: String, _ setting: Setting) -> Bool {
            func put(_ table: inout Table) {
                if let i = table.firstIndex(where: { $0.name == name }) { table[i].options.append((option, setting)) }
                else { table.append((name, [(option, setting)])) }
            }
            switch section {
            case "routers": put(&routers)
            case "services": put(&services)
            case "middlewares": put(&middlewares)
            default: return false
            }
            return true
        }
    }

    /// Reads `labels:` (a list of `key=value` or a mapping); a Traefik label it cannot parse is an error.
    static func parse(_ node: Node?, service: String, problems: inout [Diagnostic]) -> TraefikLabels {
        var result = TraefikLabels()
        guard let node else { return result }
        var pairs: [(String, String, Mark)] = []
        if let items = node.sequence {
            for item in items {
                guard let text = item.scalarText else {
                    problems.append(.error("service \"\(service)\": a label must be text \"key=value\"", at: item.mark)); continue
                }
                guard let eq = text.firstIndex(of: "=") else {
                    problems.append(.error("service \"\(service)\": label \"\(text)\" is not key=value", at: item.mark)); continue
                }
                pairs.append((String(text[..<eq]).trimming(.whitespace), String(text[text.index(after: eq)...]), item.mark))
            }
        } else if let mapping = node.mapping {
            for pair in mapping {
                pairs.append((pair.key.scalarText ?? "", pair.value.scalarText ?? "", pair.value.mark))
            }
        } else {
            problems.append(.error("service \"\(service)\": labels must be a list or a mapping, found \(node.kindName)", at: node.mark))
        }
        for (key, value, mark) in pairs {
            let setting = Setting(value: value, mark: mark)
            guard key.hasPrefix("traefik.") else { result.other.append((key, setting)); continue }
            let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2 && parts[1] == "enable" {
                result.enabled = value.trimming(.whitespace).lowercased() == "true"
                result.enableMark = mark
                continue
            }
            guard ["http", "tcp", "udp"].contains(parts[1].lowercased()) else { result.other.append((key, setting)); continue }
            guard parts.count >= 5, !parts[3].isEmpty, parts[4...].allSatisfy({ !$0.isEmpty }) else {
                problems.append(.error("service \"\(service)\": Traefik label \"\(key)\" cannot be parsed: expected traefik.\(parts[1]).<routers|services|middlewares>.<name>.<option>", at: mark))
                continue
            }
            let option = parts[4...].joined(separator: ".").lowercased()
            var ok = false
            switch parts[1].lowercased() {
            case "http": ok = result.http.add(parts[2].lowercased(), name: parts[3], option: option, setting)
            case "tcp": ok = result.tcp.add(parts[2].lowercased(), name: parts[3], option: option, setting)
            default: ok = result.udp.add(parts[2].lowercased(), name: parts[3], option: option, setting)
            }
            if !ok {
                problems.append(.error("service \"\(service)\": Traefik label \"\(key)\" cannot be parsed: \"\(parts[2])\" is not routers, services or middlewares", at: mark))
            }
        }
        return result
    }
}

extension Array where Element == (key: String, setting: TraefikLabels.Setting) {
    func value(_ key: String) -> TraefikLabels.Setting? { last { $0.key == key }?.setting }
}
