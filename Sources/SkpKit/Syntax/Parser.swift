/// Builds a `TaskFile` from tokens. Vocabulary: `expect…` throws "expected X, found Y",
/// `accept…` returns nil (or false) and consumes nothing when the token is not there,
/// `parse…` returns a node. The grammar is written out in GRAMMAR.md.
public struct Parser {
    var tokens: [Token]
    var index = 0
    let source: SourceText
    /// How deeply the construct being parsed is nested (blocks, parentheses, `not`, `!`, and
    /// the operands of one `and`/`or` chain): every level is a level of recursion here and in
    /// the planner, so a hostile file could otherwise exhaust the stack.
    var depth = 0
    /// The file's namespace, which qualifies the names of checks a task uses.
    var namespace = ""
    /// The deepest nesting accepted; far beyond any real task file or `--limit`.
    public static let maxNesting = 200

    public init(tokens: [Token], source: SourceText) {
        self.tokens = tokens
        self.source = source
    }

    /// Parses a whole task file. The namespace defaults to the file name (`docker.skp` → docker).
    public static func parseFile(_ source: SourceText) throws -> TaskFile {
        var lexer = Lexer(source: source)
        var parser = Parser(tokens: try lexer.tokenize(), source: source)
        return try parser.parseFile()
    }

    // MARK: token helpers

    var current: Token { tokens[index] }

    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func error(_ message: String, at token: Token, hint: String? = nil) -> Diagnostic {
        error(.other(message), at: token, hint: hint)
    }

    func error(_ problem: Problem, at token: Token, hint: String? = nil) -> Diagnostic {
        Diagnostic(problem, at: token.location, source: source, hint: hint, width: token.width)
    }

    func unexpected(_ expected: String, hint: String? = nil) -> Diagnostic {
        error(.expected(expected, found: "\(current)"), at: current, hint: hint)
    }

    mutating func acceptWord(_ word: String) -> Token? {
        current.isWord(word) ? advance() : nil
    }

    mutating func acceptPunct(_ p: String) -> Token? {
        current.isPunct(p) ? advance() : nil
    }

    /// Enters one more level of nesting at `token`, refusing past `maxNesting`; the caller
    /// leaves it with `depth -= 1` (a `defer`).
    mutating func enterNesting(at token: Token) throws {
        depth += 1
        guard depth <= Self.maxNesting else {
            throw error("nested too deeply (more than \(Self.maxNesting) levels)", at: token,
                        hint: "split it into smaller tasks or expressions")
        }
    }

    mutating func expectPunct(_ p: String, hint: String? = nil) throws {
        guard acceptPunct(p) != nil else { throw unexpected("'\(p)'", hint: hint) }
    }

    mutating func expectWord(_ word: String) throws {
        guard acceptWord(word) != nil else { throw unexpected("'\(word)'") }
    }

    mutating func expectIdentifier(_ what: String) throws -> Token {
        guard current.kind == .identifier else { throw unexpected(what) }
        return advance()
    }

    mutating func expectString(_ what: String) throws -> Token {
        guard current.kind == .string else { throw unexpected(what) }
        return advance()
    }

    /// A statement ends at a newline, or just before the `}` that closes its block.
    mutating func expectEndOfStatement() throws {
        if current.kind == .newline { _ = advance(); return }
        if current.kind == .end || current.isPunct("}") { return }
        // A misspelt word after a step is most often one of the words a step may end with.
        let hint = current.kind == .identifier
            ? Suggest.closest(to: current.text, in: Self.stepEndings).map { "did you mean '\($0)'?" } : nil
        throw unexpected("end of line", hint: hint)
    }

    /// Words that may follow a step on its line (`run "…" unless …`, `retry 3 delay 1`).
    static let stepEndings = ["unless", "retry", "delay", "every", "timeout", "else", "mode", "to", "serial"]

    /// Help text: a `"""` block may spread it over lines, read as one line (`--list` shows one).
    mutating func parseHelp(_ token: Token) throws -> String? {
        try parseTemplate(token).literalText.map { text in
            text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        }
    }

    mutating func skipNewlines() {
        while current.kind == .newline { _ = advance() }
    }
}
