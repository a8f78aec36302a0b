import Document
import Foundation
import Testing
import TestSupport

extension ImportProcessTests {
/// playbooks/faf.yaml is `import compose` of FAF's stack plus the hand edits its leading comment
/// lists: the command written there runs again on the fixture, and the playbook, its files and the
/// secrets skeleton are held to that output, so the reviewed playbook cannot drift from the importer.
@Suite struct ReviewedImportTests {
    static let playbook = Paths.repository + "/playbooks/faf.yaml"
    static let text = { (try? String(contentsOfFile: playbook, encoding: .utf8)) ?? "" }()

    /// The command of the playbook's comment (`#   bootstrap import compose … \` lines), its
    /// `--out` pointed at `out`, run in a copy of the stack laid out as on the compose host.
    static func regenerate(into out: TemporaryDirectory) throws -> String {
        var words: [String] = []
        var continued = false
        for line in text.split(separator: "\n").map(String.init) {
            guard continued || line.hasPrefix("#   bootstrap import compose ") else { continue }
            let body = line.dropFirst(1).trimmingCharacters(in: .whitespaces)
            continued = body.hasSuffix("\\")
            words += body.split(separator: " ").map(String.init).filter { $0 != "\\" }
            if !continued { break }
        }
        try #require(words.starts(with: ["bootstrap", "import", "compose"]), "no import command in the playbook's comment")
        let outIndex = try #require(words.firstIndex(of: "--out"))
        #expect(words[outIndex + 1] == "playbooks/faf.yaml")
        words[outIndex + 1] = out.file("faf.yaml")
        let src = try FAFStack.prepared()
        let run = try bootstrap(Array(words.dropFirst()), currentDirectory: src.path)
        try #require(run.status == 0, "\(run.stderr)")
        return out.file("faf.yaml")
    }

    static func load(_ path: String) throws -> Value {
        try YAML.parseOne(try String(contentsOfFile: path, encoding: .utf8), file: path).resolved
    }

    @Test func thePlaybookIsTheImportPlusExactlyItsListedHandEdits() throws {
        let out = TemporaryDirectory("import-faf")
        let generatedPath = try Self.regenerate(into: out)
        let generatedText = try String(contentsOfFile: generatedPath, encoding: .utf8)
        let listed = HandEdits.listed(in: Self.text)
        #expect(listed.count > 10 && listed.count < 60, "\(listed)")
        let differences = HandEdits.differences(try Self.load(generatedPath), try Self.load(Self.playbook))
        for path in differences where !listed.contains(where: { HandEdits.covers($0, path) }) {
            Issue.record("playbooks/faf.yaml differs from the import at \(path), which its list of hand edits does not name")
        }
        for pattern in listed where !differences.contains(where: { HandEdits.covers(pattern, $0) }) {
            Issue.record("the hand edit \(pattern) is listed, but playbooks/faf.yaml does not differ from the import there")
        }
        // The import's report of what it did not convert is kept, as written, for review.
        let report = try #require(generatedText.range(of: "apiVersion:")).lowerBound
        #expect(Self.text.contains(generatedText[..<report]))
    }

    @Test func itsFilesAreTheImportsAndEverySecretHasItsEntry() throws {
        let out = TemporaryDirectory("import-faf")
        _ = try Self.regenerate(into: out)
        // Every file the playbook names is the import's, byte for byte, and nothing else is there.
        let named = Set(Self.strings(in: try Self.load(Self.playbook)).filter { $0.hasPrefix("faf/") })
        #expect(named.count > 30)
        let folder = Paths.repository + "/playbooks/"
        var onDisk: Set<String> = []
        let enumerator = FileManager.default.enumerator(atPath: folder + "faf")!
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "faf/" + path, isDirectory: &isDirectory), !isDirectory.boolValue { onDisk.insert("faf/" + path) }
        }
        #expect(onDisk == named)
        for path in named.sorted() {
            #expect(FileManager.default.contents(atPath: folder + path) == FileManager.default.contents(atPath: out.file(path)), "\(path)")
        }
        // Every secret of the import's skeleton has its entry in secrets.example, and every entry
        // there is one the playbook uses.
        let skeleton = Self.leaves(try Self.load(out.file("faf/secrets.example")))
        let example = Self.leaves(try Self.load(Paths.repository + "/secrets.example"))
        #expect(skeleton.count > 50)
        #expect(skeleton.subtracting(example).isEmpty, "not in secrets.example: \(skeleton.subtracting(example).sorted())")
        for key in example.sorted() { #expect(Self.text.contains("${{ secrets.\(key) }}"), "secrets.example has \(key), which faf.yaml does not use") }
    }

    static func strings(in value: Value) -> [String] {
        switch value {
        case .string(let s): return [s]
        case .array(let items): return items.flatMap(strings)
        case .object(let object): return object.keys.flatMap { strings(in: object[$0]!) }
        default: return []
        }
    }

    /// `group.key` of every value of a secrets file.
    static func leaves(_ value: Value, _ prefix: String = "") -> Set<String> {
        guard case .object(let object) = value else { return [prefix] }
        return object.keys.reduce(into: Set<String>()) { $0.formUnion(leaves(object[$1]!, prefix.isEmpty ? $1 : prefix + "." + $1)) }
    }
}
}
