/// A file: its namespace, named checks and tasks, and a task's declarations (help, param, pre, post).
extension Parser {
    // MARK: file

    mutating func parseFile() throws -> TaskFile {
        let base = source.path.split(separator: "/").last.map(String.init) ?? source.path
        var file = TaskFile(namespace: String(base.split(separator: ".").first ?? Substring(base)),
                            help: nil, tasks: [], source: source)
        skipNewlines()
        if acceptWord("namespace") != nil {
            file.namespace = try expectIdentifier("a namespace name").text
            if current.kind == .string { file.help = try parseHelp(advance()) }
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
        if current.kind == .string { task.help = try parseHelp(advance()) }
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
            task.help = try parseHelp(try expectString("the help text"))
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
                param.help = try parseHelp(token)
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
}
