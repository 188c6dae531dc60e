import ConfigYAML
import Testing

/// The YAML layer over libyaml: the tree, the positions, the scalar types the readers use,
/// aliases, and libyaml's own error words and lines.
@Suite("YAML composer")
struct YAMLComposerTests {
    @Test("mappings, sequences and scalars with their 1-based lines and columns, pairs in file order")
    func treeAndMarks() throws {
        let text = "groups:\n  - name: a\n    rules: [x, 'y']\n  - name: b\n"
        let docs = try YAMLComposer.documents(text, single: true)
        #expect(docs.count == 1)
        let root = try #require(docs.first)
        #expect(root.mark == .init(line: 1, column: 1))
        let groups = try #require(root["groups"]?.sequence)
        #expect(groups.count == 2)
        #expect(groups[0].mark.line == 2 && groups[0].mark.column == 5)
        #expect(groups[1]["name"]?.string == "b" && groups[1]["name"]?.mark.line == 4)
        let rules = try #require(groups[0]["rules"]?.sequence)
        #expect(rules.map(\.string) == ["x", "y"])
        #expect(rules[0].scalar?.style == .plain && rules[1].scalar?.style == .singleQuoted)
        #expect(rules[1].mark == .init(line: 3, column: 16))
        #expect(root.mapping?.map(\.key.string) == ["groups"])
    }

    @Test("a repeated key is kept twice, so the strict reader can report it; the subscript reads the last")
    func repeatedKeysKept() throws {
        let root = try #require(try YAMLComposer.documents("a: 1\nb: 2\na: 3\n", single: true).first)
        #expect(root.mapping?.map { $0.key.string! } == ["a", "b", "a"])
        #expect(root["a"]?.string == "3")
    }

    @Test("null, integers and floats as YAML 1.1 spells them; quoted null is text")
    func scalarTypes() throws {
        let root = try #require(try YAMLComposer.documents(
            "n1: ~\nn2: null\nn3:\nq: 'null'\ni: 0x1F\nj: -1_000\nk: 12abc\nf: .inf\ng: -2.5e3\nh: .NaN\nz: 1.2.3\n", single: true).first)
        #expect(root["n1"]?.isNull == true && root["n2"]?.isNull == true && root["n3"]?.isNull == true)
        #expect(root["q"]?.isNull == true && root["q"]?.scalar?.style == .singleQuoted)
        #expect(root["i"]?.int == 31 && root["j"]?.int == -1000 && root["k"]?.int == nil)
        #expect(root["f"]?.float == .infinity && root["g"]?.float == -2500 && root["h"]?.float?.isNaN == true)
        #expect(root["z"]?.float == nil && root["i"]?.float == nil)
    }

    @Test("an alias is the anchored node; an alias to an unknown anchor is libyaml-style 'found undefined alias' at its line")
    func aliases() throws {
        let root = try #require(try YAMLComposer.documents("a: &x [1, 2]\nb: *x\n", single: true).first)
        #expect(root["b"]?.sequence?.map(\.string) == ["1", "2"])
        #expect(throws: YAMLComposer.Failure(line: 2, problem: "found undefined alias")) {
            try YAMLComposer.documents("a: 1\nb: *nope\n", single: true)
        }
    }

    @Test("nested aliases nine levels deep (a billion leaves) compose at once: nothing is copied")
    func billionLaughs() throws {
        var text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { text += "l\(i): &l\(i) [" + Array(repeating: "*l\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let root = try #require(try YAMLComposer.documents(text, single: true).first)
        #expect(root["l9"]?.sequence?.count == 10)
    }

    @Test("libyaml's own words and line for a scanner and a parser error; a second document only where several are allowed")
    func errors() throws {
        #expect(throws: YAMLComposer.Failure(line: 2, problem: "mapping values are not allowed in this context")) {
            try YAMLComposer.documents("a: 1\nb: c: d\n", single: true)
        }
        #expect(throws: YAMLComposer.Failure(line: 3, problem: "did not find expected key")) {
            try YAMLComposer.documents("a:\n  b: 1\n - c\n", single: true)
        }
        #expect(throws: YAMLComposer.Failure(line: 2, problem: "but found another document")) {
            try YAMLComposer.documents("a: 1\n---\nb: 2\n", single: true)
        }
        #expect(try YAMLComposer.documents("a: 1\n---\nb: 2\n", single: false).count == 2)
        #expect(try YAMLComposer.documents("", single: true).isEmpty)
        #expect(try YAMLComposer.documents("# only a comment\n", single: false).isEmpty)
    }

    @Test("a control character is a reader error at its line")
    func readerError() throws {
        #expect(throws: YAMLComposer.Failure(line: 3, problem: "control characters are not allowed")) {
            try YAMLComposer.documents("a: 1\nb: 2\nc: \u{01}\n", single: true)
        }
    }
}
