// libFuzzer target for the playbook and secrets loaders (built and run by scripts/fuzz).
//
// The first byte picks the loader: even, the playbook (YAML reader, structure checks, then the
// interpolation of every step's parameters); odd, the secrets file (read from a file, as bootstrap
// does). The rest is the file's content. Any crash, hang or runaway allocation is a finding;
// a rejected input is the expected outcome for most of them.
import Document
import Glibc
import Playbook

nonisolated(unsafe) var secretsPath: String = {
    let path = "/tmp/bootstrap-fuzz-secrets-\(getpid()).yaml"
    atexit { unlink("/tmp/bootstrap-fuzz-secrets-\(getpid()).yaml") }
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func loaderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let selector = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if selector & 1 == 0 {
        guard TextFile.firstInvalidUTF8(bytes) == nil else { return 0 }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let (playbook, _) = try? PlaybookLoader.parseCollecting(text, file: "fuzz.yaml") else { return 0 }
        let resolver = Resolver(vars: playbook.vars, secrets: Secrets(file: "fuzz-secrets.yaml", root: [:]))
        for step in playbook.steps {
            let (parameters, _) = resolver.resolve(step.with, stepID: step.id, fallback: step.mark)
            _ = JSON.encode(parameters.value, options: .sortedKeys)
        }
    } else {
        let fd = open(secretsPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return 0 }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if let (secrets, _) = try? Secrets.load(path: secretsPath, policy: .refuse) {
            _ = secrets.allValues
        }
    }
    return 0
}
