import Platform
import Steps
import Document
import FoundationEssentials

extension Converter {
    /// Environment: env files (secret lines move to the Secret), then `environment:`.
    mutating func convertEnvironment(_ service: ComposeProject.Service, _ draft: inout WorkloadDraft) {
        let name = draft.name
        var env = Object(), secretEnv = Object(), envFiles: [Value] = []
        for fileNode in listOrScalar(service["env_file"]) {
            guard let outPath = convertEnvFile(fileNode, name, secretEnv: &secretEnv, reference: &draft.reference) else { continue }
            envFiles.append(.string(outPath))
            draft.count.envFiles += 1
        }
        for (key, valueNode, mark) in environment(service["environment"], name) {
            guard let valueNode else {
                note(name, "environment.\(key)", "no value: compose takes it from the shell that runs it; not converted", mark)
                continue
            }
            let raw = valueNode.scalarText ?? JSON.encode(valueNode.resolved)
            let value = interpolate(raw, service: name, key: "environment.\(key)", mark: valueNode.mark)
            if value.secret || options.rules.isSecret(key: key, value: value.resolved) {
                secretEnv[key] = .string(addSecret(Self.dnsLabel(name), key, "environment.\(key) of \(name)", value: value.resolved))
            } else {
                env[key] = .string(value.playbook)
                draft.reference += " " + value.resolved
            }
        }
        if !envFiles.isEmpty { draft.with["envFiles"] = .array(envFiles) }
        if !env.isEmpty { draft.with["env"] = .object(env) }
        if !secretEnv.isEmpty { draft.with["secretEnv"] = .object(sorted(secretEnv)); draft.count.secretEnv = secretEnv.count }
    }

    /// One env file, copied beside the playbook without its secret lines (they move to
    /// `secretEnv`): the path it is written to, or nil when it cannot be read.
    mutating func convertEnvFile(_ fileNode: Node, _ name: String, secretEnv: inout Object, reference: inout String) -> String? {
        let relative = fileNode.scalarText ?? ""
        let source = resolve(relative)
        guard let text = try? TextFile.read(source) else {
            note(name, "env_file", "\(relative) cannot be read beside the compose file: not converted (copy it there and import again)", fileNode.mark)
            return nil
        }
        let outPath = outputPath(relative)
        let group = Self.dnsLabel(URL(fileURLWithPath: relative).deletingPathExtension().lastPathComponent)
        var kept: [String] = []
        var entries: [Int: EnvFile.Entry] = [:]
        for entry in EnvFile.parse(text) where entry.problem == nil { entries[entry.line] = entry }
        for (index, line) in EnvFile.lines(text).enumerated() {
            if let entry = entries[index + 1], options.rules.isSecret(key: entry.name, value: entry.value) {
                kept.append("# \(entry.name): a secret, in secretEnv (secrets.\(group).\(entry.name))")
                secretEnv[entry.name] = .string(addSecret(group, entry.name, "\(relative): \(entry.name)", value: entry.value))
            } else if line.trimming(.whitespace).hasPrefix("#"),
                      let commented = EnvFile.parse(String(line.drop { $0 == "#" || $0 == " " })).first(where: { $0.problem == nil }),
                      options.rules.isSecret(key: commented.name, value: commented.value) {
                // A commented-out secret is still a secret: its value is not copied.
                kept.append("# \(commented.name): commented out in \(relative), a secret: not copied")
            } else {
                if let entry = entries[index + 1] { reference += " " + entry.value }
                kept.append(line)
            }
        }
        files[outPath] = kept.joined(separator: "\n")
        return outPath
    }
}
