/// A task body: stages, loops, conditions and steps.
extension Parser {
    // MARK: items and steps

    mutating func parseItem(task: inout TaskDecl) throws -> Item {
        let keyword = current
        guard keyword.kind == .identifier else {
            throw unexpected("a step (run, sudo, local, capture, upload, download, echo, fail) or on, for, if, let")
        }
        switch keyword.text {
        case "on":
            _ = advance()
            let selector = try parseSelector()
            let serial = try parseSerial()
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

    /// `serial` (one host at a time), `serial 2` or `serial 40%` after a stage's selector; nil
    /// when there is none.
    mutating func parseSerial() throws -> HostCount? {
        if current.kind == .identifier, !current.isWord("serial"), let word = Suggest.closest(to: current.text, in: ["serial"]) {
            throw error("unexpected '\(current.text)' after the hosts of on", at: current, hint: "did you mean '\(word)'?")
        }
        guard acceptWord("serial") != nil else { return nil }
        if current.kind == .newline || current.kind == .end || current.isPunct("{") || current.isPunct("}") { return .hosts(1) }
        let number = current
        guard number.kind == .number else {
            throw unexpected("how many hosts at a time: \(HostCount.expected)",
                             hint: "serial alone runs one host at a time")
        }
        _ = advance()
        let percent = acceptPunct("%") != nil
        let written = number.text + (percent ? "%" : "")
        guard let count = HostCount.parse(written) else {
            let range = percent ? "a percentage from 1% to 100%" : "a whole number of hosts from 1 to 100000"
            throw Diagnostic("serial takes \(range), not '\(written)'", at: number.location, source: source,
                             hint: "serial 2 runs two hosts at a time; serial 40% runs 40% of the stage's hosts at a time",
                             width: written.count)
        }
        return count
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
        case "download":
            _ = advance()
            let remote = try parseTemplate(try expectString("the host's file to download, in quotes"))
            try expectWord("to")
            let local = try parseTemplate(try expectString("where to put it on this machine, in quotes"))
            action = .download(remote: remote, local: local)
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
        case "until":
            _ = advance()
            let check = try parseTemplate(try expectString("the check command in quotes"))
            var every: Expr?, timeout: Expr?
            while true {
                if acceptWord("every") != nil { every = try parsePrimary() } else if acceptWord("timeout") != nil {
                    timeout = try parsePrimary()
                } else { break }
            }
            action = .until(check, every: every, timeout: timeout)
        default:
            let known = ["run", "sudo", "local", "show", "attach", "capture", "upload", "download", "echo", "fail", "require", "until", "on", "for", "if", "let"]
            let hint = Suggest.closest(to: keyword.text, in: known).map { "did you mean '\($0)'?" }
            throw error(.unknown(.step, name: keyword.text), at: keyword, hint: hint
                        ?? "a step is one of: run, sudo, local, show, attach, capture, upload, download, echo, fail, require, until")
        }
        var step = Step(action: action, unless: nil, location: keyword.location)
        if acceptWord("retry") != nil {
            let attempts = try parsePrimary()
            step.retry = Step.Retry(attempts: attempts, delay: acceptWord("delay") != nil ? try parsePrimary() : nil)
        }
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
