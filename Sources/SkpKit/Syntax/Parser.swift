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
        Diagnostic(message, at: token.location, source: source, hint: hint, width: token.width)
    }

    func unexpected(_ expected: String, hint: String? = nil) -> Diagnostic {
        error("expected \(expected), found \(current)", at: current, hint: hint)
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
        throw unexpected("end of line")
    }

    mutating func skipNewlines() {
        while current.kind == .newline { _ = advance() }
    }

    // MARK: file

    mutating func parseFile() throws -> TaskFile {
        let base = source.path.split(separator: "/").last.map(String.init) ?? source.path
        var file = TaskFile(namespace: String(base.split(separator: ".").first ?? Substring(base)),
                            help: nil, tasks: [], source: source)
        skipNewlines()
        if acceptWord("namespace") != nil {
            file.namespace = try expectIdentifier("a namespace name").text
            if current.kind == .string { file.help = try parseTemplate(advance()).literalText }
            try expectEndOfStatement()
        }
        while true {
            skipNewlines()
            if current.kind == .end { return file }
            if current.isWord("check") {
                file.checks.append(try parseCheck(namespace: file.namespace))
                continue
            }
            guard current.isWord("task") else {
                throw unexpected("'task'", hint: "a task file holds `task NAME { … }` blocks and `check NAME(…) \"…\"` probes")
            }
            file.tasks.append(try parseTask(namespace: file.namespace))
        }
    }

    /// `check NAME [(PARAM, …)] "command"`.
    mutating func parseCheck(namespace: String) throws -> CheckDecl {
        _ = advance()
        let name = try expectIdentifier("a check name")
        guard !name.text.contains(".") else { throw error("a check name has no '.'; the namespace comes from the file", at: name) }
        var params: [String] = []
        if acceptPunct("(") != nil, acceptPunct(")") == nil {
            repeat {
                let param = try expectIdentifier("a parameter name")
                guard !params.contains(param.text) else { throw error("\(param.text) is a parameter of \(name.text) twice", at: param) }
                params.append(param.text)
            } while acceptPunct(",") != nil
            try expectPunct(")")
        }
        let command = try parseTemplate(try expectString("the check's command in quotes"))
        try expectEndOfStatement()
        return CheckDecl(name: namespace + "." + name.text, params: params, command: command, location: name.location)
    }

    /// After `unless` or `require`: `"command"`, or a named check `NAME` / `NAME(arg, …)`.
    mutating func parseCheckUse() throws -> CheckUse {
        if current.kind == .string { return .command(try parseTemplate(advance())) }
        guard current.kind == .identifier else { throw unexpected("a check: a command in quotes, or a check's name") }
        let name = advance()
        var arguments: [Expr] = []
        if acceptPunct("(") != nil, acceptPunct(")") == nil {
            repeat { arguments.append(try parseExpr()) } while acceptPunct(",") != nil
            try expectPunct(")")
        }
        let qualified = name.text.contains(".") ? name.text : namespace + "." + name.text
        return .named(qualified, arguments: arguments, location: name.location)
    }

    mutating func parseTask(namespace: String) throws -> TaskDecl {
        self.namespace = namespace
        _ = advance()
        let nameToken = try expectIdentifier("a task name")
        guard !nameToken.text.contains(".") else {
            throw error("a task name has no '.'; the namespace comes from the file", at: nameToken)
        }
        var task = TaskDecl(name: nameToken.text, location: nameToken.location, help: nil,
                            params: [], pre: [], post: [], body: [])
        if current.kind == .string { task.help = try parseTemplate(advance()).literalText }
        try expectPunct("{", hint: "a task's body is written between { and }")
        task.body = try parseItems(in: &task)
        return task
    }

    /// Items up to the closing `}`. Declarations (help, param, pre, post) only at a task's top level.
    mutating func parseItems(in task: inout TaskDecl, topLevel: Bool = true) throws -> [Item] {
        try enterNesting(at: current)
        defer { depth -= 1 }
        var items: [Item] = []
        while true {
            skipNewlines()
            if acceptPunct("}") != nil { return items }
            if current.kind == .end { throw unexpected("'}'", hint: "a block opened with { is not closed") }
            let keyword = current
            if topLevel, try parseDeclaration(into: &task) { continue }
            if !topLevel, ["help", "param", "pre", "post"].contains(keyword.text), keyword.kind == .identifier {
                throw error("\(keyword.text) belongs at the top of a task, not inside a block", at: keyword)
            }
            items.append(try parseItem(task: &task))
        }
    }

    /// help, param, pre, post. Returns false when the current token starts none of them.
    mutating func parseDeclaration(into task: inout TaskDecl) throws -> Bool {
        guard current.kind == .identifier else { return false }
        switch current.text {
        case "help":
            _ = advance()
            task.help = try parseTemplate(try expectString("the help text")).literalText
        case "param":
            task.params.append(try parseParam())
        case "pre", "post":
            let which = advance().text
            repeat {
                let hook = try parseHook()
                if which == "pre" { task.pre.append(hook) } else { task.post.append(hook) }
            } while acceptPunct(",") != nil
        default:
            return false
        }
        try expectEndOfStatement()
        return true
    }

    mutating func parseParam() throws -> ParamDecl {
        _ = advance()
        let name = try expectIdentifier("a parameter name")
        var param = ParamDecl(name: name.text, location: name.location)
        if current.kind == .shortFlag {
            let flag = advance()
            guard flag.text.count == 1 else {
                throw error("a short flag is one letter, like -n", at: flag)
            }
            param.short = flag.text
        }
        while current.kind != .newline, current.kind != .end, !current.isPunct("}") {
            let token = advance()
            switch (token.kind, token.text) {
            case (.identifier, "required"): param.required = true
            case (.identifier, "secret"): param.secret = true
            case (.identifier, "flag"): param.isFlag = true
            case (.identifier, "prompt"): param.prompt = true
            case (.identifier, "shell"): param.shellCode = true
            case (.identifier, "limit"): param.fromLimit = true
            case (.identifier, "default"):
                param.defaultValue = try parseTemplate(try expectString("a default value in quotes"))
            case (.identifier, "env"):
                param.environmentVariable = try expectIdentifier("an environment variable name").text
            case (.identifier, "one-of"):
                param.oneOf = try parsePrimary()
            case (.string, _) where param.help == nil:
                param.help = try parseTemplate(token).literalText
            default:
                throw error("unexpected \(token) in a parameter", at: token,
                            hint: "param NAME [-x] [required] [secret] [shell] [flag] [prompt] [default \"v\"] [env VAR] [one-of COLLECTION] [limit] \"help\"")
            }
        }
        return param
    }

    mutating func parseHook() throws -> HookRef {
        let name = try expectIdentifier("a task name to run")
        var hook = HookRef(task: name.text, arguments: [], location: name.location)
        if acceptPunct("(") != nil {
            while acceptPunct(")") == nil {
                let arg = try expectIdentifier("a parameter name")
                try expectPunct("=")
                hook.arguments.append((arg.text, try parseExpr()))
                if acceptPunct(",") == nil { try expectPunct(")") ; break }
            }
        }
        return hook
    }

    // MARK: items and steps

    mutating func parseItem(task: inout TaskDecl) throws -> Item {
        let keyword = current
        guard keyword.kind == .identifier else {
            throw unexpected("a step (run, sudo, local, capture, upload, echo, fail) or on, for, if, let")
        }
        switch keyword.text {
        case "on":
            _ = advance()
            let selector = try parseSelector()
            let serial = acceptWord("serial") != nil
            if acceptPunct("{") != nil {
                return .stage(selector, serial: serial, body: try parseItems(in: &task, topLevel: false),
                              location: keyword.location)
            }
            try expectEndOfStatement()
            return .target(selector, serial: serial, location: keyword.location)
        case "let":
            _ = advance()
            let name = try expectIdentifier("a name")
            try expectPunct("=")
            let selector = try parseSelector()
            try expectEndOfStatement()
            return .hostSet(name: name.text, selector, location: name.location)
        case "for":
            _ = advance()
            let variable = try expectIdentifier("a loop variable")
            try expectWord("in")
            let collection = try parsePrimary()
            let filter = acceptWord("where") != nil ? try parseExpr() : nil
            try expectPunct("{")
            return .loop(variable: variable.text, collection: collection, filter: filter,
                         body: try parseItems(in: &task, topLevel: false), location: keyword.location)
        case "if":
            return try parseCondition(task: &task)
        default:
            let step = try parseStep()
            try expectEndOfStatement()
            return .step(step)
        }
    }

    mutating func parseCondition(task: inout TaskDecl) throws -> Item {
        let keyword = advance()
        let condition = try parseExpr()
        try expectPunct("{")
        let then = try parseItems(in: &task, topLevel: false)
        var otherwise: [Item] = []
        if acceptWord("else") != nil {
            if current.isWord("if") {
                // An `else if` chain nests like blocks do.
                try enterNesting(at: current)
                defer { depth -= 1 }
                otherwise = [try parseCondition(task: &task)]
            } else {
                try expectPunct("{")
                otherwise = try parseItems(in: &task, topLevel: false)
            }
        }
        return .condition(condition, then: then, otherwise: otherwise, location: keyword.location)
    }

    mutating func parseStep() throws -> Step {
        let keyword = current
        let action: Step.Action
        switch keyword.text {
        case "run", "sudo", "local", "show", "attach":
            action = try parseCommandAction()
        case "capture":
            _ = advance()
            let name = try expectIdentifier("a name for the captured value")
            try expectPunct("=")
            guard ["run", "sudo", "local"].contains(current.text), current.kind == .identifier else {
                throw unexpected("run, sudo or local")
            }
            action = .capture(name: name.text, Box(try parseCommandAction()))
        case "upload":
            _ = advance()
            let content = try parseTemplate(try expectString("the content to upload"))
            try expectWord("to")
            let path = try parseTemplate(try expectString("the destination path"))
            var mode: Int?
            if acceptWord("mode") != nil {
                guard current.kind == .number, let m = Int(current.text, radix: 8), m <= 0o7777 else {
                    throw unexpected("an octal file mode such as 0600")
                }
                _ = advance()
                mode = m
            }
            action = .upload(content: content, path: path, mode: mode)
        case "echo":
            _ = advance()
            action = .echo(try parseTemplate(try expectString("the text to print")))
        case "fail":
            _ = advance()
            action = .fail(try parseTemplate(try expectString("the failure message")))
        case "require":
            // `require CHECK else "message"`: `fail "message" unless CHECK`, read the right way round.
            _ = advance()
            let check = try parseCheckUse()
            guard acceptWord("else") != nil else { throw unexpected("'else' and the message for when the check fails") }
            let message = try parseTemplate(try expectString("the failure message"))
            return Step(action: .fail(message), unless: check, location: keyword.location)
        default:
            let known = ["run", "sudo", "local", "show", "attach", "capture", "upload", "echo", "fail", "require", "on", "for", "if", "let"]
            let hint = Suggest.closest(to: keyword.text, in: known).map { "did you mean '\($0)'?" }
            throw error("unknown step '\(keyword.text)'", at: keyword, hint: hint
                        ?? "a step is one of: run, sudo, local, show, attach, capture, upload, echo, fail, require")
        }
        var step = Step(action: action, unless: nil, location: keyword.location)
        if acceptWord("unless") != nil {
            step.unless = try parseCheckUse()
        }
        return step
    }

    mutating func parseCommandAction() throws -> Step.Action {
        let keyword = advance()
        let command = try parseTemplate(try expectString("a command in quotes"))
        switch keyword.text {
        case "sudo": return .sudo(command)
        case "local": return .local(command)
        case "show": return .show(command)
        case "attach": return .attach(command)
        default: return .run(command)
        }
    }
}
