/// What `--version` prints: the release, and the commit the binary was built from. `scripts/setup`
/// writes the commit in for its build and then puts this file back; other builds say so.
enum BuildInfo {
    static let version = "0.1.0"
    static let commit = "development build"
    static var line: String { "\(version) (\(commit))" }
}
