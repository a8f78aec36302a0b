import Platform
import Document
import Engine
import FoundationEssentials

extension HelmChart {
    /// A chart kept beside the playbook: a directory with its `Chart.yaml`, read while the playbook
    /// is checked and handed to helm-controller whole, as `spec.chartContent` (base64 of its .tgz),
    /// so the node pulls no chart from anywhere.
    public struct LocalChart: Decodable, Sendable {
        /// As written: relative to the playbook's folder, or absolute.
        public var path: String
        /// Every file under it by relative path; empty when it could not be read (reported at its position).
        public var files: [(path: String, content: [UInt8])] = []

        public init(from decoder: any Decoder) throws {
            path = try decoder.singleValueContainer().decode(String.self)
            let reporter = decoder as? any ParameterReporting
            let base = reporter?.mark.map { URL(fileURLWithPath: $0.file).deletingLastPathComponent().path } ?? "."
            let full = path.hasPrefix("/") ? path : PathText.join(base, path)
            guard let listed = try? Files.listTree(full) else {
                reporter?.report("chartDirectory \"\(path)\" is not a directory beside the playbook (\(full))")
                return
            }
            for relative in listed {
                guard ((try? FileInfo.of(full + "/" + relative, followingLinks: true)) ?? nil)?.kind == .file else { continue }
                guard let data = try? Files.read(full + "/" + relative) else {
                    reporter?.report("chartDirectory \"\(path)\": \(relative) cannot be read")
                    continue
                }
                files.append((relative, data))
            }
        }

        /// `Chart.yaml` as text, when there is one.
        var chartYAML: String? { files.first { $0.path == "Chart.yaml" }.map { String(decoding: $0.content, as: UTF8.self) } }

        /// The chart's `name` and `version` from its Chart.yaml.
        var metadata: (name: String?, version: String?) {
            guard let text = chartYAML, let root = try? YAML.parseOne(text, file: path + "/Chart.yaml").resolved else { return (nil, nil) }
            return (root["name"]?.stringValue, root["version"]?.stringValue)
        }

        /// The archive helm-controller writes to `/chart/<name>.tgz.base64` for klipper-helm to install.
        var base64Archive: String {
            Data(ChartArchive.tgz(root: metadata.name ?? "chart", files: files)).base64EncodedString()
        }
    }

    /// helm-controller keeps `chartContent` in a ConfigMap (chart-content-<name>), which holds 1 MiB.
    static let chartContentLimit = 768 * 1024

    static func checkLocalChart(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        guard let local = p.chartDirectory else { return [] }
        if p.chart != nil { return [context.error("chart and chartDirectory are two sources of one chart: give one", at: "chartDirectory")] }
        if p.repo != nil { return [context.error("repo does not apply to chartDirectory (the chart is in the playbook's folder)", at: "repo")] }
        guard !local.files.isEmpty else { return [] }  // unreadable: reported while decoding
        let (name, version) = local.metadata
        guard let name else {
            return [context.error("chartDirectory \"\(local.path)\" has no Chart.yaml with a name", at: "chartDirectory")]
        }
        var problems: [Diagnostic] = []
        if version != p.version {
            problems.append(context.error("version \(p.version) is not the version of chart \(name) in \(local.path)/Chart.yaml "
                + "(\(version ?? "none")): keep them equal, so the release records what was installed", at: "version"))
        }
        if local.base64Archive.utf8.count > chartContentLimit {
            problems.append(context.error("chartDirectory \"\(local.path)\" makes a chart archive over \(chartContentLimit / 1024) KiB: "
                + "helm-controller keeps it in a ConfigMap, which holds 1 MiB", at: "chartDirectory"))
        }
        return problems
    }
}
