import Document
import Engine

// Who can read a mounted file. The kubelet writes ConfigMap and Secret files owned by root (group
// root, or the pod's fsGroup when one is set) with the item's mode; the container's user is the
// image's USER unless `user:` overrides it. The rule bootstrap applies:
//
// - Without `mode`, a file is readable by every user of the container: ConfigMap files 0644
//   (Kubernetes' default), Secret files 0444 (Kubernetes' default is 0644; the write bit means
//   nothing on a read-only volume). This works for any image, as compose's bind mounts of 0644
//   host files did, and nothing outside the pod sees the files.
// - A tighter `mode` is accepted only when bootstrap can show the reader gets in: the container
//   runs as root (`user: "0"`, or the image's user is root in `ImageUser.known`), or `user:
//   "UID:GID"` is given, which sets the pod's fsGroup to GID, so a group-readable mode (0440)
//   works. Anything else is refused: an image whose user is not root, or not known, reads a
//   root-owned 0400 file only if it happens to run as root.
extension AppWorkload {
    /// Secret files without a `mode`: readable by the container whatever its user.
    static let defaultSecretFileMode = 0o444

    /// Who reads the workload's files, as far as bootstrap can tell.
    enum FileReader {
        case root(String)
        /// A non-root user; `group` is the pod's fsGroup (from `user: UID:GID`), when set.
        case user(String, group: Int?)
        case unknown

        static func of(_ p: Parameters) -> FileReader {
            if let user = p.user, isNumericUser(user) {
                let parts = user.split(separator: ":").compactMap { Int($0) }
                if parts.first == 0 { return .root("user: \"\(user)\"") }
                return .user("\(parts[0]) (user: \"\(user)\")", group: parts.count > 1 ? parts[1] : nil)
            }
            guard let known = ImageUser.of(p.image) else { return .unknown }
            return known.root ? .root("\(p.image) runs as root") : .user(known.described, group: nil)
        }

        /// Why a root-owned file with `mode` is unreadable to this reader, or nil.
        func problem(mode: Int, image: String) -> String? {
            switch self {
            case .root: return nil
            case .user(let who, let group):
                if mode & 0o004 != 0 || (group != nil && mode & 0o040 != 0) { return nil }
                let groupHint = group == nil ? "or set user: \"UID:GID\" and mode 0440 (the pod's fsGroup is then GID)"
                    : "or give the group read (0440): the file's group is the pod's fsGroup \(group!)"
                return "cannot be read by the container's user \(who): the file is root's; use 0444, \(groupHint)"
            case .unknown:
                if mode & 0o004 != 0 { return nil }
                return "is readable only by root, and bootstrap does not know the user of image \(image) (its Dockerfile is not "
                    + "in bootstrap's table of image users): use 0444, or set user: \"0\" if it runs as root, or user: \"UID:GID\" with mode 0440"
            }
        }
    }

    /// Every file whose `mode` keeps the container's user out.
    static func checkFileModes(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        let reader = FileReader.of(p)
        var problems: [Diagnostic] = []
        for (path, file) in (p.files ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let text = file.mode, let mode = Int(text, radix: 8), let problem = reader.problem(mode: mode, image: p.image) else { continue }
            problems.append(context.error("file \"\(path)\" mode \(text) \(problem)", at: "files", path, "mode"))
        }
        return problems
    }
}
