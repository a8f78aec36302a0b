import Platform
import Document
import FoundationEssentials

extension Converter {
    /// Volumes: ./data -> local volumes, ./config -> files, the rest reported. Sets `files:` and
    /// returns the data mounts (`volumes:`, written after the ports).
    mutating func convertVolumes(_ service: ComposeProject.Service, _ draft: inout WorkloadDraft) -> [Value] {
        let name = draft.name
        var fileEntries: [(String, Value)] = [], mounts: [Value] = []
        for item in service["volumes"]?.sequence ?? [] {
            guard let mount = parseMount(item, name) else { continue }
            let source = mount.source
            let stripped = source.hasPrefix("./") ? String(source.dropFirst(2)) : source
            if stripped.hasPrefix("data/") {
                guard let m = dataMount(mount, stripped: stripped, item, &draft) else { continue }
                mounts.append(.object(m))
            } else if stripped.hasPrefix("config/") {
                fileEntries += configFiles(mount, stripped: stripped, item, &draft)
            } else if source.hasPrefix("/") || source.hasPrefix(".") || source.hasPrefix("~") {
                note(name, "volumes", "host path \(source): only ./data and ./config are converted", item.mark)
            } else {
                note(name, "volumes", "named volume \(source): not converted (a storage.local-volumes volume can take its place)", item.mark)
            }
        }
        if !fileEntries.isEmpty {
            var object = Object()
            for (target, value) in fileEntries.sorted(by: { $0.0 < $1.0 }) {
                if object[target] != nil { note(name, "volumes", "\(target) is mounted twice: the last one is kept", service["volumes"]?.mark) }
                object[target] = value
            }
            draft.with["files"] = .object(object)
        }
        return mounts
    }

    /// A mount of ./data/FOLDER[/SUB]: the claim of FOLDER's local volume, or nil (reported).
    mutating func dataMount(_ mount: Mount, stripped: String, _ item: Node, _ draft: inout WorkloadDraft) -> Object? {
        let (name, ns, source) = (draft.name, draft.ns, mount.source)
        let rest = stripped.dropFirst(5).split(separator: "/").map(String.init)
        guard let folder = rest.first else { note(name, "volumes", "\(source): the whole data folder: not converted", item.mark); return nil }
        let volume = Self.dnsLabel(folder)
        if let existing = volumes[folder] {
            if existing.namespace != ns {
                note(name, "volumes", "\(source): its volume \(existing.name) is in namespace \(existing.namespace), a claim cannot be shared across namespaces: not converted", item.mark)
                return nil
            }
        } else {
            volumes[folder] = (volume, ns); volumeOrder.append(folder)
        }
        var m = Object()
        m["claim"] = .string(volume + "-pvc")
        m["mountPath"] = .string(mount.target.count > 1 && mount.target.hasSuffix("/") ? String(mount.target.dropLast()) : mount.target)
        if rest.count > 1 { m["subPath"] = .string(rest.dropFirst().joined(separator: "/")) }
        if mount.readOnly { m["readOnly"] = true }
        draft.count.dataMounts += 1
        if !draft.needs.contains("volumes") { draft.needs.append("volumes") }
        return m
    }

    /// A mount of ./config/PATH (a file or a folder): its files as `files:` entries (target, entry),
    /// copied beside the playbook or, when secret, moved to the secrets.
    mutating func configFiles(_ mount: Mount, stripped: String, _ item: Node, _ draft: inout WorkloadDraft) -> [(String, Value)] {
        let (name, source) = (draft.name, mount.source)
        let path = resolve(source)
        guard let info = (try? FileInfo.of(path, followingLinks: true)) ?? nil else {
            note(name, "volumes", "\(source) is not beside the compose file: not converted (copy it there and import again)", item.mark)
            return []
        }
        let listed: [(String, String)] = info.kind == .directory
            ? ((try? Files.listTree(path)) ?? []).filter {
                ((try? FileInfo.of(path + "/" + $0, followingLinks: true)) ?? nil)?.kind != .directory
            }.map { (stripped.trimming(.characters("/")) + "/" + $0, (mount.target.hasSuffix("/") ? String(mount.target.dropLast()) : mount.target) + "/" + $0) }
            : [(stripped, mount.target)]
        var fileEntries: [(String, Value)] = []
        for (relative, target) in listed {
            guard let content = try? TextFile.read(resolve(relative)) else {
                note(name, "volumes", "\(relative) is not a UTF-8 text file: not converted", item.mark)
                continue
            }
            // The container saw the host file's mode through the bind mount; its read and
            // execute bits are what matter on a read-only mount (write bits do nothing there).
            let mode = ((try? FileInfo.of(resolve(relative), followingLinks: true)) ?? nil).map { Self.octal(Int($0.mode) & 0o555) } ?? "0444"
            if let bits = Int(mode, radix: 8), bits & 0o004 == 0 {
                note(name, "volumes", "\(relative): mode \(mode) kept from the host file: others cannot read it, so app.workload accepts it "
                    + "only for a container known to run as root, or with user: \"UID:GID\" and a group-readable mode; review", item.mark)
            }
            if options.rules.isSecretFile(path: relative, content: content) {
                let key = Self.dnsLabel(relative.hasPrefix("config/") ? String(relative.dropFirst("config/".count)) : relative)
                fileEntries.append((target, Value.obj(["secret": .string(addSecret("files", key, "the content of \(relative)")), "mode": .string(mode)])))
            } else {
                files[options.filesFolder + relative] = content
                var entry = Object([("from", .string(options.filesFolder + relative))])
                // A ConfigMap file's default, 0644, reads the same; only another mode is written.
                if mode != "0444" { entry["mode"] = .string(mode) }
                fileEntries.append((target, .object(entry)))
                draft.reference += " " + content
            }
            draft.count.files += 1
        }
        return fileEntries
    }
}
