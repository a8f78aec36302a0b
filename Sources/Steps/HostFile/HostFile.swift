import Platform
import Document
import Engine
import FoundationEssentials
import Host

/// `host.file`: a file on the host with given content, mode and owner, replaced atomically when it differs.
public struct HostFile: StepDriver {
    public struct Parameters: Decodable, Sendable {
        public var path: String
        public var content: FileText
        public var mode: String?
        public var owner: String?

        package init(path: String, content: FileText, mode: String? = nil, owner: String? = nil) {
            self.path = path
            self.content = content
            self.mode = mode
            self.owner = owner
        }
    }

    /// File content, handled as a secret: plans and errors never show it.
    public struct FileText: Decodable, Sendable {
        public let text: Sensitive
        package init(_ text: Sensitive) { self.text = text }
        /// Plain text or `${{ secrets.* }}`: both end up sensitive.
        public init(from decoder: any Decoder) throws {
            text = try decoder.singleValueContainer().decode(Sensitive.self)
        }
    }

    public static let type = "host.file"
    public static let version = 1
    public static let target = StepTarget.host
    public static let summary = "Write a file on the host atomically, with a mode and owner"

    public let id: String
    public let parameters: Parameters
    public init(id: String, parameters: Parameters) {
        self.id = id
        self.parameters = parameters
    }

    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var diagnostics = ParameterRules.checkHostPath(p.path, context, at: "path")
        if p.path.hasSuffix("/") { diagnostics.append(context.error("path must name a file, not a directory", at: "path")) }
        if let mode = p.mode, parseMode(mode) == nil {
            diagnostics.append(context.error("mode \"\(mode)\" is not an octal mode such as 0644", at: "mode"))
        }
        if let owner = p.owner, !ParameterRules.isOwnerSpec(owner) {
            diagnostics.append(context.error("owner \"\(owner)\" is not uid:gid or user:group", at: "owner"))
        }
        return diagnostics
    }

    var mode: UInt16 { parameters.mode.flatMap(parseMode) ?? 0o644 }
    var content: FileContent { .sensitive(parameters.content.text) }
    var parent: String { PathText.parent(parameters.path) }

    /// The changes that make the host file as wanted: the content (rewrite), or only mode and owner.
    func changes(_ host: any HostSystem) throws -> [HostChange] {
        let wantedOwner = try parameters.owner.map { try host.resolveOwner($0) }
        var changes: [HostChange] = try host.status(parent) == nil ? [.makeDirectory(parent)] : []
        guard let status = try host.status(parameters.path) else {
            return changes + [.writeFile(FileWrite(path: parameters.path, mode: mode, owner: wantedOwner, old: nil, new: content))]
        }
        guard status.kind == .file else { throw StepError("\(parameters.path) exists and is not a regular file") }
        if let old = try host.read(parameters.path), old == content.bytes {
            let mode = status.mode == mode ? nil : mode
            let owner = wantedOwner.flatMap { status.owner == $0 ? nil : $0 }
            if mode != nil || owner != nil { changes.append(.setAttributes(parameters.path, mode: mode, owner: owner)) }
            return changes
        }
        // The old content is kept sensitive too: it may hold the secret this write rotates.
        let old = try host.read(parameters.path).map { FileContent.sensitive(Sensitive(String(decoding: $0, as: UTF8.self))) }
        return changes + [.writeFile(FileWrite(path: parameters.path, mode: mode, owner: wantedOwner, old: old, new: content))]
    }

    public func check(_ context: StepContext) async throws -> ChangeSet {
        ChangeSet(host: try changes(context.host))
    }

    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] {
        try changes(context.host).flatMap { change -> [String] in
            switch change {
            case .writeFile: return ["\(parameters.path) is missing or its content differs"]
            case .setAttributes(_, let mode, let owner):
                return [mode.map { "\(parameters.path) does not have mode \(octal($0))" },
                        owner.map { "\(parameters.path) is not owned by \($0)" }].compactMap { $0 }
            default: return []
            }
        }
    }
}
