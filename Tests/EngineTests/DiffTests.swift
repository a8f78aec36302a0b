import Document
import Engine
import Testing

/// Line diffs of multi-line values, as plans print Helm values and config files.
@Suite struct LineDiffTests {
    @Test func aOneLineChangeInLongValuesShowsThatLineWithContext() throws {
        let before = (1...40).map { "key\($0): value\($0)" }.joined(separator: "\n") + "\n"
        let after = before.replacingOccurrences(of: "key20: value20", with: "key20: changed")
        let lines = ObjectDiff.lines(from: ["spec": ["valuesContent": .string(before)]], to: ["spec": ["valuesContent": .string(after)]])
        #expect(lines == [
            "~ spec.valuesContent:",
            "      ...",
            "      key18: value18",
            "      key19: value19",
            "    - key20: value20",
            "    + key20: changed",
            "      key21: value21",
            "      key22: value22",
            "      ...",
        ])
    }

    @Test func listsDifferElementByElement() throws {
        let lines = ObjectDiff.lines(from: ["spec": ["items": ["a", "b", "c"]]], to: ["spec": ["items": ["a", "c", "d"]]])
        #expect(lines == ["- spec.items[1]: \"b\"", "+ spec.items[2]: \"d\""])
    }
}
