import Engine
import Platform
import FoundationEssentials

/// Where a rehearsal's API server finds the CRDs it serves: those the playbook's cluster provider
/// says a fresh cluster of its kind and release serves, written under the rehearsal directory.
enum RehearsalCRDs {
    /// Writes the CRD files under DIR/crds and returns that directory; files of an earlier
    /// rehearsal with another release are removed.
    static func write(_ files: [CRDFile], into directory: String) throws -> String {
        let dir = directory + "/crds"
        try? Files.remove(dir)
        try Files.createDirectory(dir)
        for file in files {
            try Files.writeAtomically(dir + "/" + file.name.replacing("/", with: "_"), Array(file.yaml.utf8), mode: 0o644, durable: false)
        }
        return dir
    }
}
