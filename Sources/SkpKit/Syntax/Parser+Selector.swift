/// Selectors, in task files after `on` and `let`, and on the command line (`--limit`):
/// union `,` (or `|`) < intersection `&` < exclusion `!` < atoms.
extension Parser {
    /// Parses a selector given as text (`--limit 'role:manager & !c01'`).
    public static func parseSelector(_ text: String, origin: String = "--limit") throws -> Selector {
        let source = SourceText(path: origin, text: text)
        var lexer = Lexer(source: source)
        var parser = Parser(tokens: try lexer.tokenize(), source: source)
        let selector = try parser.parseSelector()
        guard parser.current.kind == .end || parser.current.kind == .newline else {
            throw parser.unexpected("',' (or), '&' (and), or the end of the selector")
        }
        return selector
    }

    public mutating func parseSelector() throws -> Selector {
        try enterNesting(at: current)
        defer { depth -= 1 }
        var parts = [try parseSelectorIntersection()]
        while acceptPunct(",") != nil || acceptPunct("|") != nil {
            parts.append(try parseSelectorIntersection())
        }
        return parts.count == 1 ? parts[0] : .union(parts)
    }

    mutating func parseSelectorIntersection() throws -> Selector {
        var parts = [try parseSelectorUnary()]
        while acceptPunct("&") != nil { parts.append(try parseSelectorUnary()) }
        return parts.count == 1 ? parts[0] : .intersection(parts)
    }

    mutating func parseSelectorUnary() throws -> Selector {
        if let op = acceptPunct("!") {
            try enterNesting(at: op)
            defer { depth -= 1 }
            return .exclusion(try parseSelectorUnary())
        }
        if acceptPunct("(") != nil {
            let inner = try parseSelector()
            try expectPunct(")")
            return inner
        }
        if current.kind == .interpolation {
            let token = advance()
            var lexer = Lexer(source: source, text: token.text, line: token.contentLocation.line,
                              column: token.contentLocation.column)
            var parser = Parser(tokens: try lexer.tokenize(), source: source)
            parser.depth = depth
            let expr = try parser.parseExpr()
            guard parser.current.kind == .end else { throw parser.unexpected("'}'") }
            return .expression(expr, text: token.text)
        }
        guard current.kind == .identifier || current.kind == .number else {
            throw unexpected("a host selector (all, a host name, role:NAME, label:NAME, one(…))")
        }
        let token = advance()
        switch token.text {
        case "all": return .all
        case "local": return .local
        case "one":
            try expectPunct("(", hint: "write one(role:master)")
            let inner = try parseSelector()
            try expectPunct(")")
            return .one(inner)
        case "role", "label", "roles", "labels", "group":
            guard acceptPunct(":") != nil else { return .name(token.text, token.location) }
            let value = try selectorWord()
            if token.text.hasPrefix("label") {
                let wanted = acceptPunct("=") != nil ? try selectorWord() : nil
                return .label(value, value: wanted, token.location)
            }
            return .role(value, token.location)
        default:
            if current.isPunct(":") {
                throw error(.unknown(.selectorKind, name: token.text), at: token,
                            hint: "selectors are all, NAME, role:NAME, label:NAME, label:NAME=VALUE, one(…)")
            }
            return .name(token.text, token.location)
        }
    }

    private mutating func selectorWord() throws -> String {
        guard [.identifier, .number, .string].contains(current.kind) else {
            throw unexpected("a name")
        }
        return advance().text
    }
}
