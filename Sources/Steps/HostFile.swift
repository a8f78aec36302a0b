import Document
import Engine
import Foundation
import Host

/// `host.file`: a file on the host with given content, mode and owner, replaced atomically when it differs.
public struct HostFile: StepDriver {
    public struct Parameters: Decodable, Sendable {
        public var path: String
        public var content: FileText
        public var mode: String?
        public var owner: String?

        public init(path: String, content: FileText, mode: String? = nil, owner: String? = nil) {
            self.path = path
            self.content = content
            self.mode = mode
            self.owner = owner
        }
    }

    /// File content, handled as a secret: plans and errors never show it.
    public struct FileText: Decodable, Sendable {
        public let text: Sensitive
        public init(_ text: Sensitive) { self.text = text }
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
    var data: Data { Data(parameters.content.text.revealed.utf8) }
    var parent: String { (parameters.path as NSString).deletingLastPathComponent }

    /// What differs: the content (rewrite), or only mode and owner.
    struct Changes {
        var createParent = false
        var rewrite = false
        var mode: UInt16?
        var owner: FileOwner?
        var wantedOwner: FileOwner?
    }

    func changes(_ host: any HostSystem) throws -> Changes {
        var changes = Changes()
        changes.wantedOwner = try parameters.owner.map { try host.resolveOwner($0) }
        changes.createParent = try host.status(parent) == nil
        guard let status = try host.status(parameters.path) else {
            changes.rewrite = true
            return changes
        }
        guard status.kind == .file else { throw StepError("\(parameters.path) exists and is not a regular file") }
        changes.rewrite = try host.read(parameters.path) != data
        if !changes.rewrite {
            changes.mode = status.mode == mode ? nil : mode
            changes.owner = changes.wantedOwner.flatMap { status.owner == $0 ? nil : $0 }
        }
        return changes
    }

    public func check(_ context: StepContext) async throws -> StepPlan {
        let changes = try changes(context.host)
        var actions: [String] = changes.createParent ? [HostAction.makeDirectory(parent)] : []
        if changes.rewrite { actions.append(HostAction.write(parameters.path, mode: mode, owner: changes.wantedOwner)) }
        actions += HostAction.attributes(parameters.path, mode: changes.mode, owner: changes.owner)
        return StepPlan(hostActions: actions)
    }

    public func apply(_ plan: StepPlan, _ context: StepContext) async throws {
        let host = context.host
        let changes = try changes(host)
        if changes.createParent { try host.makeDirectory(parent, mode: nil, owner: nil) }
        if changes.rewrite {
            try host.write(parameters.path, data, mode: mode, owner: changes.wantedOwner)
        } else if changes.mode != nil || changes.owner != nil {
            try host.setAttributes(parameters.path, mode: changes.mode, owner: changes.owner)
        }
    }

    public func verify(_ plan: StepPlan, _ context: StepContext) async throws -> [String] {
        let changes = try changes(context.host)
        var drift: [String] = []
        if changes.rewrite { drift.append("\(parameters.path) is missing or its content differs") }
        if let mode = changes.mode { drift.append("\(parameters.path) does not have mode \(octal(mode))") }
        if let owner = changes.owner { drift.append("\(parameters.path) is not owned by \(owner)") }
        return drift
    }
}
