import Testing
@testable import Document

@Suite struct YAMLReaderTests {
    @Test func keepsLineAndColumnOfEveryNode() throws {
        let docs = try YAML.parse("a: 1\nsteps:\n  - id: x\n    type: y\n", file: "p.yaml")
        let steps = try #require(docs.first?["steps"]?.sequence)
        #expect(steps[0].mark == Mark(file: "p.yaml", line: 3, column: 5))
        #expect(steps[0]["type"]?.mark == Mark(file: "p.yaml", line: 4, column: 11))
    }

    @Test func rejectsDuplicateKeysNamingBothPlaces() {
        #expect {
            _ = try YAML.parse("a: 1\nb: 2\na: 3\n", file: "d.yaml")
        } throws: { error in
            (error as? Diagnostics)?.description == "d.yaml:3:1: error: duplicate key \"a\" (first defined at 1:1)"
        }
    }

    @Test func reportsSyntaxErrorsWithPosition() {
        do {
            _ = try YAML.parse("a: [1, 2\nb: 3\n", file: "s.yaml")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.items.count == 1)
            #expect(error.items[0].mark?.file == "s.yaml")
            #expect(error.description.contains("error: YAML syntax"))
        }
    }

    @Test func billionLaughsFailsFastWithinBudget() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        do {
            _ = try YAML.parse(text, file: "lol.yaml")
            Issue.record("expected the alias budget to stop the document")
        } catch {
            #expect(error.description.contains("expands to more than"))
            // The error points at the alias that crossed the budget, not at the end of the file.
            #expect((error.items.first?.mark?.line ?? 99) <= 7)
        }
    }

    @Test func smallAliasesStillWork() throws {
        let node = try YAML.parseOne("base: &b {x: 1}\nother: *b\n", file: "a.yaml")
        #expect(node.resolved["other"] == ["x": 1])
    }

    @Test func coreSchemaScalars() throws {
        let node = try YAML.parseOne("a: yes\nb: true\nc: 0755\nd: '1'\ne: ~\nf: 1.5\ng: 0x1F\n", file: "c.yaml")
        let v = node.resolved
        #expect(v["a"] == "yes")
        #expect(v["b"] == true)
        #expect(v["c"] == 755)
        #expect(v["d"] == "1")
        #expect(v["e"] == .null)
        #expect(v["f"] == .double(1.5))
        #expect(v["g"] == 31)
    }
}

@Suite struct YAMLWriterTests {
    @Test func roundTripsThroughTheReader() throws {
        let value: Value = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "x", "labels": ["a": "yes", "b": "true", "c": "0755"]],
            "data": ["script": "line one\nline two\n", "empty": "", "colon": "a: b", "list": [1, "two", ["k": "v"], []]],
        ]
        let text = YAML.emit(value)
        let back = try YAML.parseOne(text, file: "w.yaml").resolved
        #expect(back == value, "\(text)")
    }

    @Test func secretsPrintAsSensitive() {
        let value: Value = ["password": .sensitive(Sensitive("hunter2"))]
        #expect(!YAML.emit(value).contains("hunter2"))
        #expect(!JSON.encode(value).contains("hunter2"))
        #expect(JSON.encode(value, options: .revealSecrets).contains("hunter2"))
        #expect(!"\(value)".contains("hunter2"))
        var dumped = ""
        dump(value, to: &dumped)
        #expect(!dumped.contains("hunter2"))
    }
}

@Suite struct JSONTests {
    @Test func roundTripKeepsOrderAndTypes() throws {
        let text = #"{"b":1,"a":[true,null,1.5,"x\n\"y\u00e9"],"c":{}}"#
        let value = try JSON.decode(text)
        #expect(value["a"] == [true, nil, 1.5, "x\n\"yé"])
        #expect(JSON.encode(value) == #"{"b":1,"a":[true,null,1.5,"x\n\"yé"],"c":{}}"#)
        #expect(JSON.encode(value, options: .sortedKeys).hasPrefix(#"{"a":"#))
    }

    @Test func rejectsTrailingGarbage() {
        #expect(throws: JSON.SyntaxError.self) { try JSON.decode("{} x") }
    }
}
