/// Expressions: `or` < `and` < `not` < comparisons (`==`, `!=`, `in`) < primaries.
extension Parser {
    public mutating func parseExpr() throws -> Expr {
        try enterNesting(at: current)
        let entered = depth
        defer { depth = entered - 1 }
        var left = try parseAnd()
        // Each operand of a chain nests the tree one level deeper (the evaluator recurses on it).
        while let op = acceptWord("or") { try enterNesting(at: op); left = .or(left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws -> Expr {
        let entered = depth
        defer { depth = entered }
        var left = try parseNot()
        while let op = acceptWord("and") { try enterNesting(at: op); left = .and(left, try parseNot()) }
        return left
    }

    mutating func parseNot() throws -> Expr {
        if let op = acceptWord("not") {
            try enterNesting(at: op)
            defer { depth -= 1 }
            return .not(try parseNot())
        }
        let left = try parsePrimary()
        if acceptPunct("==") != nil { return .equals(left, try parsePrimary()) }
        if acceptPunct("!=") != nil { return .notEquals(left, try parsePrimary()) }
        if acceptWord("in") != nil { return .contains(element: left, collection: try parsePrimary()) }
        if current.isPunct("=") {
            throw error("'=' assigns; compare with '=='", at: current)
        }
        return left
    }

    mutating func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case .string:
            _ = advance()
            return .string(try parseTemplate(token))
        case .number:
            _ = advance()
            return .number(token.text, token.location)
        case .identifier:
            _ = advance()
            if acceptPunct("(") != nil {
                var args: [Expr] = []
                while acceptPunct(")") == nil {
                    args.append(try parseExpr())
                    if acceptPunct(",") == nil { try expectPunct(")"); break }
                }
                return .call(token.text, args, token.location)
            }
            let parts = token.text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if parts.contains(where: \.isEmpty) { throw error("malformed name '\(token.text)'", at: token) }
            return .path(parts, token.location)
        case .punctuation where token.text == "(":
            _ = advance()
            let inner = try parseExpr()
            try expectPunct(")")
            return inner
        default:
            throw unexpected("a value (a name such as v.type, or a string in quotes)")
        }
    }
}
