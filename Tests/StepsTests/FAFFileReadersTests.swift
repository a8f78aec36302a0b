import Document
import Engine
import Playbook
@testable import Steps
import Testing
import TestSupport

/// Every FAF workload that mounts a file can read it as the user its container runs as: read from
/// the pod each workload would run (its securityContext and the modes of its ConfigMap and Secret
/// items) and the image's user (`ImageUser.known`, read from the images' Dockerfiles), not from
/// the validation that enforces it.
@Suite struct FAFFileReadersTests {
    enum Reader: Equatable { case root, user(fsGroup: Int?), unknown }

    /// Whether a root-owned file (group: the pod's fsGroup, if any) with `mode` is readable.
    static func reads(_ reader: Reader, _ mode: Int) -> Bool {
        switch reader {
        // Root passes permission checks (CAP_DAC_OVERRIDE is in the runtime's default set), but the
        // files should say so anyway.
        case .root: return mode & 0o444 != 0
        case .user(let group): return mode & 0o004 != 0 || (group != nil && mode & 0o040 != 0)
        case .unknown: return mode & 0o004 != 0
        }
    }

    @Test func everyFAFWorkloadThatMountsAFileCanReadItAsItsImagesUser() throws {
        let (secrets, _) = try Secrets.load(path: Paths.repository + "/secrets.example", policy: .warn)
        let checked = try CheckedPlaybook.load(path: Paths.repository + "/playbooks/faf.yaml", secrets: secrets, registry: StepCatalog.registry)
        var files = 0
        var readers: [String: Reader] = [:]
        for step in checked.orderedSteps where step.type.name == AppWorkload.type {
            let p = try #require(ParameterDecoder.decode(AppWorkload.Parameters.self, from: step.parameters, stepID: step.id, fallback: nil).0)
            let pod = AppWorkload(id: step.id, parameters: p).podTemplate(checksum: "x")["spec"] ?? .null
            let security = pod["securityContext"]
            let fsGroup = security?["fsGroup"]?.intValue
            let reader: Reader
            if let uid = security?["runAsUser"]?.intValue { reader = uid == 0 ? .root : .user(fsGroup: fsGroup) }
            else if let known = ImageUser.of(p.image) { reader = known.root ? .root : .user(fsGroup: fsGroup) }
            else { reader = .unknown }
            for volume in pod["volumes"]?.arrayValue ?? [] {
                guard let source = volume["configMap"] ?? volume["secret"] else { continue }
                let defaultMode = source["defaultMode"]?.intValue ?? 0o644
                for item in source["items"]?.arrayValue ?? [] {
                    let mode = item["mode"]?.intValue ?? defaultMode
                    #expect(Self.reads(reader, mode), "\(step.id) (\(p.image), \(reader)): \(item["path"] ?? .null) mode \(String(mode, radix: 8))")
                    files += 1
                }
            }
            if !(p.files ?? [:]).isEmpty { readers[p.image] = reader }
        }
        #expect(files > 25)
        // The three images that run as a user of their own read theirs as that user.
        for image in ["oryd/hydra:v1.11.10", "anope/anope:2.0.10", "nodebb/docker:1.18.5"] {
            #expect(readers[image] == .user(fsGroup: nil), "\(image)")
        }
    }
}
