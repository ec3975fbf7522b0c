/// Splits a string token into text and `${…}` interpolations, each parsed as an expression at
/// its own position in the file.
extension Parser {
    func parseTemplate(_ token: Token) throws -> Template {
        let chars = Array(token.text)
        var segments: [Template.Segment] = []
        var text = ""
        var line = token.contentLocation.line, column = token.contentLocation.column
        var i = 0

        func step(_ count: Int = 1) {
            for _ in 0..<count where i < chars.count {
                if chars[i] == "\n" { line += 1; column = 0 } else { column += 1 }
                i += 1
            }
        }

        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, !token.isBlock || chars[i + 1] == "$" {
                switch chars[i + 1] {
                case "n": text += "\n"
                case "t": text += "\t"
                case "\\", "\"", "$": text.append(chars[i + 1])
                default:
                    throw Diagnostic(.unknown(.escape, name: String(chars[i + 1])), at: here(line, column), source: source,
                                     hint: "write \\\\ for a backslash, \\\" for a quote, \\${ for a literal ${", width: 2)
                }
                step(2)
                continue
            }
            if c == "$", i + 1 < chars.count, chars[i + 1] == "{" {
                let start = here(line, column)
                step(2)
                var depth = 0, inQuote = false, exprText = ""
                let exprLine = line, exprColumn = column
                while i < chars.count {
                    let d = chars[i]
                    if d == "\"" { inQuote.toggle() }
                    if !inQuote, d == "{" { depth += 1 }
                    if !inQuote, d == "}" { if depth == 0 { break }; depth -= 1 }
                    exprText.append(d)
                    step()
                }
                guard i < chars.count else {
                    throw Diagnostic("unterminated ${", at: start, source: source, hint: "close it with }", width: 2)
                }
                step() // the closing }
                if !text.isEmpty { segments.append(.text(text)); text = "" }
                segments.append(try interpolation(exprText, line: exprLine, column: exprColumn, start: start))
                continue
            }
            text.append(c)
            step()
        }
        if !text.isEmpty { segments.append(.text(text)) }
        if token.isBlock { segments = Self.dedent(segments) }
        return Template(segments: segments, location: token.location)
    }

    private func here(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: source.path, line: line, column: column)
    }

    private func interpolation(_ text: String, line: Int, column: Int, start: SourceLocation) throws -> Template.Segment {
        var lexer = Lexer(source: source, text: text, line: line, column: column)
        var parser = Parser(tokens: try lexer.tokenize(), source: source)
        parser.depth = depth // a string inside ${…} may hold ${…} again
        let raw = parser.current.isWord("raw") && parser.tokens.count > 2
        if raw { _ = parser.advance() }
        guard parser.current.kind != .end else {
            throw Diagnostic("empty ${}", at: start, source: source, width: 3)
        }
        let expr = try parser.parseExpr()
        guard parser.current.kind == .end else {
            throw parser.unexpected("'}' closing the ${")
        }
        return .value(expr, raw: raw, location: start)
    }

    /// Block strings drop the indentation their lines share, so they can sit indented in a task.
    static func dedent(_ segments: [Template.Segment]) -> [Template.Segment] {
        var all = ""
        for case .text(let t) in segments { all += t }
        let lines = all.split(separator: "\n", omittingEmptySubsequences: false)
        let indents = lines.filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.prefix { $0 == " " || $0 == "\t" }.count }
        let common = indents.min() ?? 0
        guard common > 0 else { return segments }
        var atLineStart = true
        return segments.map { segment in
            guard case .text(let t) = segment else { atLineStart = false; return segment }
            var out = ""
            var skip = atLineStart ? common : 0
            for ch in t {
                if ch == "\n" { out.append(ch); skip = common; continue }
                if skip > 0, ch == " " || ch == "\t" { skip -= 1; continue }
                skip = 0
                out.append(ch)
            }
            atLineStart = t.last == "\n"
            return .text(out)
        }
    }
}
