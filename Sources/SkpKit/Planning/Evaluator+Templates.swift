import Foundation

/// Templates become commands: each value escaped for its place in the shell text, or refused
/// when the place is not sure.
extension Evaluator {
    // MARK: templates

    /// Renders a template into command parts. With `quoting`, each value is escaped for where it
    /// stands in the shell text (ShellScanner); without, inserted as it is (file content, paths).
    public func render(_ template: Template, quoting: Bool) throws -> Command {
        var command = Command()
        var shell = ShellScanner()
        var lastValue: (Expr, SourceLocation)?
        for segment in template.segments {
            switch segment {
            case .text(let text):
                command.parts.append(.literal(text))
                shell.consume(text)
            case .value(let expr, let raw, let location):
                try append(evaluate(expr), to: &command, shell: &shell, shellQuoting: quoting && !raw, inCommand: quoting, expr: expr, at: location)
                lastValue = (expr, location)
            }
            try checkEnd(of: shell, lastValue)
        }
        shell.finish()
        try checkEnd(of: shell, lastValue)
        return command
    }

    func checkEnd(of shell: ShellScanner, _ lastValue: (Expr, SourceLocation)?) throws {
        guard shell.valueEndsHereDocument, let (expr, location) = lastValue else { return }
        throw error("\(describe(expr)) makes a line equal to the here-document's end word (or joined to the next by a backslash), which would end it early",
                    at: location, hint: "pick an end word no value can form, such as <<'SKP_END'")
    }

    func append(_ value: Value, to command: inout Command, shell: inout ShellScanner, shellQuoting: Bool,
                        inCommand: Bool, expr: Expr, at location: SourceLocation) throws {
        let quoting = shellQuoting ? shell.context : .none
        // Where the scanner cannot tell how the shell will read a value, nothing is guessed.
        if shellQuoting, let refusal = shell.refusal {
            throw error("\(describe(expr)) stands \(refusal.place): skp cannot escape it there", at: location, hint: refusal.hint)
        }
        switch value {
        case .null:
            throw error("\(describe(expr)) is not set", at: location,
                        hint: "set it in the inventory, or test it first: if \(describe(expr)) != \"\" { … }")
        case .secret(let secret):
            // The checks below need its text; the command holds it as a secret part.
            let s = secret.revealed
            if shellQuoting, s.hasPrefix("-"), shell.atWordStart, !quoting.isHereDocument {
                throw error("\(describe(expr)) is a secret that starts with -, which the command would read as an option",
                            at: location, hint: "write it after the option's = (--password=${\(describe(expr))}) or after --")
            }
            try checkHereDocument(s, quoting, expr: expr, at: location)
            if inCommand { try checkSecretDelivery(s, quoting, expr: expr, at: location) }
            command.parts.append(.secret(secret, quoting: quoting))
            shell.valueWritten(quoting.apply(s))
            return
        case .captured(let name):
            if quoting.isHereDocument {
                throw error("\(describe(expr)) is captured on a host while the run goes, so it cannot be checked for a here-document",
                            at: location, hint: "pass it as a word instead, for example: printf '%s\\n' ${\(describe(expr))} > file")
            }
            command.parts.append(.captured(name, quoting: quoting))
            shell.valueWritten("\u{1}")
            return
        case .list(let items):
            for (i, item) in items.enumerated() {
                if i > 0 { command.parts.append(.literal(" ")); shell.consume(" ") }
                try append(item, to: &command, shell: &shell, shellQuoting: shellQuoting, inCommand: inCommand, expr: expr, at: location)
            }
            return
        case .hosts(let set) where set.count != 1:
            let names = set.indexes.map { scope.inventory.hosts[$0].name }
            try append(.list(names.map(Value.string)), to: &command, shell: &shell, shellQuoting: shellQuoting, inCommand: inCommand,
                       expr: expr, at: location)
            return
        case .option(let text):
            command.parts.append(.value(text, quoting: quoting))
            shell.valueWritten(quoting.apply(text))
        default:
            let text = try text(value, at: location)
            // Quoting keeps a value one word, but `rm ${path}` with path "-rf" is still an option
            // to rm: a value that would start a word with "-" is refused, never run.
            // Inside quotes too: `rm "${path}"` passes -rf to rm all the same.
            if shellQuoting, text.hasPrefix("-"), shell.atWordStart, !quoting.isHereDocument {
                throw error("\(describe(expr)) is \(ShellQuote.quote(text)), which the command would read as an option",
                            at: location, hint: "values that start with - are refused where they start a word; an option goes in the task's text, e.g. --name=${\(describe(expr))}")
            }
            try checkHereDocument(text, quoting, expr: expr, at: location)
            command.parts.append(.value(text, quoting: quoting))
            // `${raw …}` is shell text (option lists): the scanner reads it like the task's own text.
            if inCommand && !shellQuoting { shell.consume(text) } else { shell.valueWritten(quoting.apply(text)) }
        }
    }

    /// In a command a secret is a shell variable whose value arrives on one line of stdin
    /// (Command.forTransport): it cannot hold a line break, and a quoted here-document does not
    /// expand variables.
    func checkSecretDelivery(_ text: String, _ quoting: Quoting, expr: Expr, at location: SourceLocation) throws {
        if text.contains(where: \.isNewline) {
            throw error("\(describe(expr)) is a secret with a line break, which a command cannot receive", at: location,
                        hint: "write it to a file with `upload \"${\(describe(expr))}\" to \"…\" mode 0600` and read the file")
        }
        if quoting == .hereDocument(expanding: false) {
            throw error("\(describe(expr)) is a secret in a quoted here-document (<<'EOF'), where it cannot be filled in", at: location,
                        hint: "use an unquoted end word (<<EOF), or upload it to a file")
        }
    }

    /// A line of a value could end a here-document early and run what follows as commands.
    func checkHereDocument(_ text: String, _ quoting: Quoting, expr: Expr, at location: SourceLocation) throws {
        guard quoting.isHereDocument, text.contains(where: \.isNewline) else { return }
        throw error("\(describe(expr)) has a line break, which could end the here-document it stands in", at: location,
                    hint: "write multi-line values to a file with `upload`, or pass them as one word")
    }

    func describe(_ expr: Expr) -> String {
        if case .path(let parts, _) = expr { return parts.joined(separator: ".") }
        return "the value"
    }
}
