/// The user a pinned image starts as, read from the Dockerfile it was built from. What a mounted
/// file's mode must allow depends on it; kept for the images whose Dockerfiles were read, each
/// with its source, and extended when an image is pinned or moved to a new version.
struct ImageUser: Sendable {
    /// The image exactly as a playbook pins it (`repository:tag`).
    var image: String
    /// The user as the Dockerfile names it.
    var name: String
    /// Its UID when the Dockerfile fixes one; nil when `adduser -S` picks the next free system ID.
    var uid: Int?
    /// Whether the container's first process runs as root (it may switch later: see `note`).
    var root: Bool
    /// Where it was read: repository, tag or commit, path, line.
    var source: String
    /// What the image does after it starts, when that matters for its files.
    var note: String?

    /// The pinned images bootstrap knows. An image that is not here has an unknown user.
    static let known: [ImageUser] = [
        ImageUser(image: "oryd/hydra:v1.11.10", name: "ory", uid: nil, root: false,
                  source: "ory/hydra v1.11.10 .docker/Dockerfile-alpine line 13 (USER ory; lines 3-4: addgroup -S ory; adduser -S ory -G ory)"),
        ImageUser(image: "anope/anope:2.0.10", name: "anope", uid: 10000, root: false,
                  source: "anope/docker Dockerfile at c0b7e07 (2021-06-19, the 2.0 branch build) line 13 (adduser -u 10000 ... anope), line 47 (USER anope)"),
        ImageUser(image: "nodebb/docker:1.18.5", name: "node", uid: nil, root: false,
                  source: "NodeBB/NodeBB v1.18.5 Dockerfile line 12 (USER node; FROM node:lts, whose node user it is)"),
        ImageUser(image: "rabbitmq:3.13.7-management-alpine", name: "root", uid: 0, root: true,
                  source: "docker-library/rabbitmq 15c3523 (Update 3.13 to 3.13.7) 3.13/alpine/Dockerfile (no USER), docker-entrypoint.sh lines 5-10",
                  note: "the entrypoint chowns /var/lib/rabbitmq and switches to rabbitmq (uid 100, gid 101; Dockerfile lines 235-236) with su-exec, "
                      + "which drops supplementary groups: the broker reads what it reads as rabbitmq"),
    ]

    static func of(_ image: String) -> ImageUser? { known.first { $0.image == image } }

    /// How messages name it: `ory (not root; <source>)`.
    var described: String {
        let who = root ? "root" : uid.map { "uid \($0), not root" } ?? "not root"
        return "\(name) (\(who); \(source))"
    }
}
