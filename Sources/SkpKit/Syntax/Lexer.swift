/// Turns task-file text into tokens. Newlines are tokens (they end statements) except inside
/// parentheses; `#` starts a comment. Errors carry the exact position.
public struct Lexer {
    private let chars: [Character]
    private let file: String
    private let source: SourceText
    private var index = 0
    private var line: Int
    private var column: Int
    private var parenDepth = 0

    /// `line`/`column` place text that starts mid-file (an interpolation inside a string).
    public init(source: SourceText, text: String? = nil, line: Int = 0, column: Int = 0) {
        self.source = source
        self.file = source.path
        self.chars = Array(text ?? source.text)
        self.line = line
        self.column = column
    }

    public mutating func tokenize() throws -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = try next()
            // Collapse runs of blank lines into one newline token.
            if token.kind == .newline, tokens.last?.kind == .newline || tokens.isEmpty { continue }
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var here: SourceLocation { SourceLocation(file: file, line: line, column: column) }
    private func peek(_ offset: Int = 0) -> Character? {
        index + offset < chars.count ? chars[index + offset] : nil
    }

    private mutating func advance() {
        if chars[index] == "\n" { line += 1; column = 0 } else { column += 1 }
        index += 1
    }

    private func error(_ message: String, at location: SourceLocation, hint: String? = nil) -> Diagnostic {
        Diagnostic(message, at: location, source: source, hint: hint)
    }

    private mutating func next() throws -> Token {
        while let c = peek() {
            if c == " " || c == "\t" { advance(); continue }
            // CRLF line ends are read as \n when the file is loaded; a \r alone is a mistake.
            if c == "\r" { throw error("a carriage return (\\r) that does not end a line", at: here,
                                       hint: "line ends are \\n (or \\r\\n)") }
            if c == "\\", peek(1) == "\n" { advance(); advance(); continue } // line continuation
            if c == "#" { while let d = peek(), d != "\n" { advance() }; continue }
            if c == "\n", parenDepth > 0 { advance(); continue }
            break
        }
        let start = here
        guard let c = peek() else { return Token(kind: .end, text: "", location: start, contentLocation: start) }
        if c == "\n" {
            advance()
            return Token(kind: .newline, text: "\n", location: start, contentLocation: start)
        }
        if c == "\"" { return try string(start: start) }
        if c == "$", peek(1) == "{" {
            advance(); advance()
            let content = here
            var text = "", depth = 0
            while let d = peek(), d != "\n" {
                if d == "{" { depth += 1 }
                if d == "}" { if depth == 0 { break }; depth -= 1 }
                text.append(d); advance()
            }
            guard peek() == "}" else { throw error("unterminated ${", at: start, hint: "close it with }") }
            advance()
            return Token(kind: .interpolation, text: text, location: start, contentLocation: content)
        }
        if c.isLetter || c == "_" { return word(start: start, kind: .identifier) }
        if c.isNumber {
            var text = ""
            while let d = peek(), Self.isWordChar(d) { text.append(d); advance() }
            // Digits, or digits.digits (`every 0.5`); anything else starting with a digit is a name.
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            let decimal = parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
            let kind: Token.Kind = decimal ? .number : .identifier
            return Token(kind: kind, text: text, location: start, contentLocation: start)
        }
        if c == "-", let d = peek(1), d.isLetter {
            advance()
            var text = ""
            while let e = peek(), e.isLetter || e.isNumber { text.append(e); advance() }
            return Token(kind: .shortFlag, text: text, location: start, contentLocation: start)
        }
        // `%` only follows a number: `serial 40%`.
        for p in ["==", "!=", "{", "}", "(", ")", ",", "&", "!", "|", ":", "=", "?", "[", "]", "%"] {
            if matches(p) {
                for _ in p { advance() }
                if p == "(" || p == "[" { parenDepth += 1 }
                if p == ")" || p == "]" { parenDepth = max(0, parenDepth - 1) }
                return Token(kind: .punctuation, text: p, location: start, contentLocation: start)
            }
        }
        throw error("unexpected character '\(c)'", at: start)
    }

    private func matches(_ p: String) -> Bool {
        for (offset, ch) in p.enumerated() where peek(offset) != ch { return false }
        return true
    }

    static func isWordChar(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "-" || c == "."
    }

    private mutating func word(start: SourceLocation, kind: Token.Kind) -> Token {
        var text = ""
        while let d = peek(), Self.isWordChar(d) { text.append(d); advance() }
        // A word does not end with '.' or '-' (a sentence end, or a flag that follows).
        while let last = text.last, last == "." || last == "-" {
            text.removeLast(); index -= 1; column -= 1
        }
        return Token(kind: kind, text: text, location: start, contentLocation: start)
    }

    /// `"…"` with backslash escapes kept raw (undone by `Template`), or `"""…"""` taken verbatim.
    private mutating func string(start: SourceLocation) throws -> Token {
        if matches("\"\"\"") {
            for _ in 0..<3 { advance() }
            if peek() == "\n" { advance() }
            let content = here
            var text = ""
            while !matches("\"\"\"") {
                guard let c = peek() else {
                    throw error("unterminated block string", at: start, hint: "close it with \"\"\"")
                }
                text.append(c); advance()
            }
            for _ in 0..<3 { advance() }
            return Token(kind: .string, text: text, location: start, contentLocation: content, isBlock: true)
        }
        advance()
        let content = here
        var text = ""
        while true {
            guard let c = peek(), c != "\n" else {
                throw error("unterminated string", at: start,
                            hint: "close it with \" on the same line, or use \"\"\" for several lines")
            }
            if c == "\"" { advance(); break }
            if c == "\\", let d = peek(1), d != "\n" { text.append(c); advance(); text.append(d); advance(); continue }
            if c == "$", peek(1) == "{" {
                // An interpolation may hold strings of its own: ${join(v.opts, " ")}.
                var inQuote = false
                while let d = peek(), d != "\n" {
                    text.append(d); advance()
                    if d == "\"" { inQuote.toggle() }
                    if d == "}", !inQuote { break }
                }
                continue
            }
            text.append(c); advance()
        }
        return Token(kind: .string, text: text, location: start, contentLocation: content)
    }
}
