import CYaml

/// Reads YAML with libyaml into positioned ``Node`` trees.
///
/// Beyond libyaml it refuses duplicate mapping keys and tags outside the core schema, bounds
/// alias expansion, so a "billion laughs" document fails at once instead of exhausting memory, and
/// bounds nesting depth (``Limits/maxDepth``), so no later recursion over the tree can overflow the stack.
public enum YAML {
    /// How many nodes aliases may add to a document (nodes written out are not counted).
    public static let defaultAliasBudget = 100_000

    /// The error for a document nested deeper than ``Limits/maxDepth``; it quotes nothing of the
    /// input, so even a secrets file's reader may print it.
    public static let nestingLimit = "nesting deeper than \(Limits.maxDepth) levels; refusing to read further"

    public static func parse(_ text: String, file: String, aliasBudget: Int = defaultAliasBudget) throws(Diagnostics) -> [Node] {
        var reader = Reader(file: file, budget: aliasBudget)
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes = [0x0A] }
        let result = bytes.withUnsafeBufferPointer { reader.run($0) }
        if !reader.diagnostics.isEmpty { throw Diagnostics(reader.diagnostics) }
        return result
    }

    /// Parses a document expected to hold exactly one YAML document (an empty file is an empty mapping).
    public static func parseOne(_ text: String, file: String) throws(Diagnostics) -> Node {
        let docs = try parse(text, file: file)
        if docs.count > 1 {
            throw Diagnostics([.error("expected one YAML document, found \(docs.count)", at: docs[1].mark)])
        }
        return docs.first ?? Node(.mapping([]), at: Mark(file: file, line: 1, column: 1))
    }

    struct Reader {
        let file: String
        let budget: Int
        var expanded = 0
        var diagnostics: [Diagnostic] = []
        var anchors: [String: (node: Node, size: Int)] = [:]

        init(file: String, budget: Int) {
            self.file = file
            self.budget = budget
        }

        /// A collection under construction, with the expanded size of what it holds so far.
        struct Frame {
            var mark: Mark
            var anchor: String?
            var isMapping: Bool
            var items: [Node] = []
            var size = 1
        }

        static let knownTags: Set<String> = ["!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                                             "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:seq",
                                             "tag:yaml.org,2002:map"]

        /// A tag bootstrap does not understand would otherwise be ignored, silently changing the meaning.
        mutating func checkTag(_ tag: String?, at: Mark) {
            guard let tag, !Self.knownTags.contains(tag) else { return }
            diagnostics.append(.error("unknown YAML tag \"\(tag)\"; only the core schema's tags (!!str, !!int, !!float, !!bool, !!null, !!seq, !!map) are read", at: at))
        }

        func mark(_ m: yaml_mark_t) -> Mark { Mark(file: file, line: Int(m.line) + 1, column: Int(m.column) + 1) }

        static func string(_ p: UnsafeMutablePointer<yaml_char_t>?, _ length: Int? = nil) -> String? {
            guard let p else { return nil }
            if let length {
                return String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self)
            }
            return String(cString: UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
        }

        mutating func run(_ input: UnsafeBufferPointer<UInt8>) -> [Node] {
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                diagnostics.append(.error("cannot initialise the YAML parser", at: nil))
                return []
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, input.baseAddress, input.count)

            var documents: [Node] = []
            var stack: [Frame] = []

            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
                    var message = problem
                    if let context = parser.context.map({ String(cString: $0) }) { message = "\(problem) \(context)" }
                    let at = parser.problem_mark.line == 0 && parser.problem_mark.column == 0 && parser.problem_offset > 0
                        ? mark(parser.context_mark) : mark(parser.problem_mark)
                    diagnostics.append(.error("YAML syntax: \(message)", at: at))
                    return documents
                }
                defer { yaml_event_delete(&event) }
                let at = mark(event.start_mark)

                // cost: how much this event adds to the document through aliases (an alias adds its whole target).
                var finished: (node: Node, size: Int, anchor: String?, cost: Int)?
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return documents
                case YAML_DOCUMENT_START_EVENT:
                    anchors = [:]
                    expanded = 0
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    guard stack.count < Limits.maxDepth else {
                        diagnostics.append(.error(YAML.nestingLimit, at: at))
                        return documents
                    }
                    let isMapping = event.type == YAML_MAPPING_START_EVENT
                    let tag = Self.string(isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag)
                    checkTag(tag, at: at)
                    let anchor = Self.string(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
                    stack.append(Frame(mark: at, anchor: anchor, isMapping: isMapping))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    let frame = stack.removeLast()
                    if frame.isMapping {
                        var pairs: [(key: Node, value: Node)] = []
                        pairs.reserveCapacity(frame.items.count / 2)
                        var seen: [String: Mark] = [:]
                        var index = 0
                        while index + 1 < frame.items.count {
                            let key = frame.items[index]
                            if let text = key.scalarText {
                                if let first = seen[text] {
                                    diagnostics.append(.error("duplicate key \"\(text)\" (first defined at \(first.line):\(first.column))", at: key.mark))
                                } else {
                                    seen[text] = key.mark
                                }
                            }
                            pairs.append((key, frame.items[index + 1]))
                            index += 2
                        }
                        finished = (Node(.mapping(pairs), at: frame.mark), frame.size, frame.anchor, 0)
                    } else {
                        finished = (Node(.sequence(frame.items), at: frame.mark), frame.size, frame.anchor, 0)
                    }
                case YAML_SCALAR_EVENT:
                    let s = event.data.scalar
                    let text = Self.string(s.value, Int(s.length)) ?? ""
                    let style: Node.ScalarStyle
                    switch s.style {
                    case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                    case YAML_LITERAL_SCALAR_STYLE: style = .literal
                    case YAML_FOLDED_SCALAR_STYLE: style = .folded
                    default: style = .plain
                    }
                    var tag = Self.string(s.tag)
                    checkTag(tag, at: at)
                    if tag == "!" { tag = "tag:yaml.org,2002:str" }
                    finished = (Node(.scalar(text, style, tag: tag), at: at), 1, Self.string(s.anchor), 0)
                case YAML_ALIAS_EVENT:
                    let name = Self.string(event.data.alias.anchor) ?? ""
                    guard let target = anchors[name] else {
                        diagnostics.append(.error("unknown alias \"*\(name)\"", at: at))
                        return documents
                    }
                    var node = target.node
                    node.mark = at
                    finished = (node, target.size, nil, target.size)
                default:
                    break
                }

                guard let done = finished else { continue }
                expanded += done.cost
                if expanded > budget {
                    diagnostics.append(.error("document expands to more than \(budget) nodes through aliases; refusing to read it", at: at))
                    return documents
                }
                if let anchor = done.anchor { anchors[anchor] = (done.node, done.size) }
                if stack.isEmpty {
                    documents.append(done.node)
                } else {
                    stack[stack.count - 1].items.append(done.node)
                    stack[stack.count - 1].size += done.size
                }
            }
        }
    }
}
