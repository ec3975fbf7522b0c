/// How a value is written into a command, decided by where the task put `${…}` in the shell text.
///
/// Single-quoting a value is right only outside quotes. Inside `"…"` the shell still expands `$(…)`
/// and backquotes; inside `'…'` a `'` in the value would end the quotes; in a here-document body a
/// value's own line could end the document. Each place gets the escaping that keeps the value one
/// literal piece of text there, so no value can turn into a command nobody wrote.
public enum Quoting: Sendable, Equatable {
    /// Inserted as is: file content, paths, and `${raw …}`.
    case none
    /// Outside quotes: one shell word.
    case word
    /// Inside `"…"`: `\`, `$`, backquote and `"` escaped.
    case doubleQuoted
    /// Inside `'…'`: each `'` becomes `'\''`.
    case singleQuoted
    /// In a here-document body; `expanding` when its delimiter is unquoted (`<<EOF`).
    case hereDocument(expanding: Bool)
    /// Inside `` `…` ``: the shell strips one level of `\`, `$` and backquote escapes before it
    /// reads the inner text, so the inner escaping is escaped once more.
    indirect case insideBackquotes(Quoting)

    var isHereDocument: Bool {
        switch self {
        case .hereDocument: true
        case .insideBackquotes(let inner): inner.isHereDocument
        default: false
        }
    }

    public func apply(_ text: String) -> String {
        switch self {
        case .none: text
        case .word: ShellQuote.quote(text)
        case .doubleQuoted: Self.escape(text, "\\$`\"")
        case .singleQuoted: text.replacingOccurrences(of: "'", with: "'\\''")
        case .hereDocument(let expanding): expanding ? Self.escape(text, "\\$`") : text
        case .insideBackquotes(let inner): Self.escape(inner.apply(text), "\\$`")
        }
    }

    /// How a shell variable holding the value is written here, so it expands to exactly the value.
    /// (A quoted here-document does not expand variables: the evaluator refuses secrets there.)
    func reference(_ variable: String) -> String {
        switch self {
        case .none: "$" + variable
        case .word: "\"$" + variable + "\""
        case .doubleQuoted, .hereDocument: "${" + variable + "}"
        case .singleQuoted: "'\"$" + variable + "\"'"
        case .insideBackquotes(let inner): Self.escape(inner.reference(variable), "\\$`")
        }
    }

    private static func escape(_ text: String, _ special: String) -> String {
        var out = ""
        for c in text {
            if special.contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}

/// Follows the shell text of a command as the task wrote it, enough to know the quoting context at
/// each `${…}`: quotes, `$(…)` (with `case` patterns inside) and backquotes, comments,
/// here-documents. It is not a full shell parser: HostileInputTests runs what it produces in dash
/// and bash for each construct it knows.
struct ShellScanner {
    /// `substitution` counts open parentheses and open `case` commands: a `case` pattern's `)`
    /// does not end `$(…)`.
    private enum Mode { case plain, double, single, backquote, substitution(depth: Int, cases: Int), comment }
    private struct HereDocument { var delimiter: String; var expanding: Bool; var stripTabs: Bool }

    private var stack: [Mode] = [.plain]
    private var escaped = false
    private var previous: Character = " "
    /// Nothing of the current word written yet (quotes alone do not count).
    private(set) var atWordStart = true
    // Here-documents: `<<` seen and its delimiter being read, then bodies after the next newline.
    private var readingDelimiter: HereDocument?
    private var delimiterQuoted = false
    private var pending: [HereDocument] = []
    private var body: HereDocument?
    private var line = ""

    var context: Quoting {
        var quoting: Quoting
        if let body { quoting = .hereDocument(expanding: body.expanding) } else {
            switch stack.last! {
            case .double: quoting = .doubleQuoted
            case .single: quoting = .singleQuoted
            default: quoting = .word
            }
        }
        for case .backquote in stack { quoting = .insideBackquotes(quoting) }
        return quoting
    }

    /// A line of a here-document, made with a value, that equals its delimiter: the document would
    /// end there and the lines after it would run as commands.
    private(set) var valueEndsHereDocument = false
    private var lineHasValue = false

    /// A value was written at the current place, as `rendered`.
    mutating func valueWritten(_ rendered: String) {
        atWordStart = false
        if body != nil { line += rendered; lineHasValue = true }
    }

    /// The end of the command: its last line may close a here-document too.
    mutating func finish() {
        if body != nil { step("\n") }
    }

    mutating func consume(_ text: String) {
        for c in text { step(c) }
    }

    private mutating func step(_ c: Character) {
        defer { previous = c }
        if let doc = body {
            if c == "\n" {
                let text = doc.stripTabs ? String(line.drop { $0 == "\t" }) : line
                if text == doc.delimiter {
                    if lineHasValue { valueEndsHereDocument = true }
                    body = pending.isEmpty ? nil : pending.removeFirst()
                }
                line = ""
                lineHasValue = false
            } else {
                line.append(c)
            }
            return
        }
        if readingDelimiter != nil, readDelimiter(c) { return }
        if escaped { escaped = false; atWordStart = false; return }
        switch stack.last! {
        case .single:
            if c == "'" { stack.removeLast() } else { atWordStart = false }
        case .double:
            switch c {
            case "\\": escaped = true
            case "\"": stack.removeLast()
            case "`": stack.append(.backquote)
            case "(" where previous == "$": stack.append(.substitution(depth: 0, cases: 0)); word = ""
            default: atWordStart = false
            }
        case .comment:
            if c == "\n" { stack.removeLast(); newline() }
        case .plain, .backquote, .substitution:
            plain(c)
        }
    }

    /// Outside quotes (also inside `$(…)` and backquotes, which start a fresh shell context).
    private mutating func plain(_ c: Character) {
        if " \t\n;|&<>()`".contains(c) { endWord() } else if c.isLetter { word.append(c) } else { word = "-" }
        switch c {
        case "\\": escaped = true
        case "'": stack.append(.single)
        case "\"": stack.append(.double)
        case "`":
            if case .backquote = stack.last! { stack.removeLast() } else { stack.append(.backquote) }
            atWordStart = true
        case "#" where atWordStart && previous != "$":
            stack.append(.comment)
        case "(":
            if previous == "$" { stack.append(.substitution(depth: 0, cases: 0)) }
            else if case .substitution(let depth, let cases) = stack.last! { stack[stack.count - 1] = .substitution(depth: depth + 1, cases: cases) }
            atWordStart = true
        case ")":
            if case .substitution(let depth, let cases) = stack.last! {
                if depth > 0 { stack[stack.count - 1] = .substitution(depth: depth - 1, cases: cases) }
                else if cases == 0 { stack.removeLast() }  // otherwise the end of a case pattern
            }
            atWordStart = true
        case "<" where previous == "<":
            readingDelimiter = HereDocument(delimiter: "", expanding: true, stripTabs: false)
            delimiterQuoted = false
            atWordStart = true
        case "\n":
            atWordStart = true
            newline()
        case " ", "\t", ";", "|", "&", ">", "<":
            atWordStart = true
        default:
            atWordStart = false
        }
    }

    /// The plain word just written, for `case` … `esac` inside `$(…)`.
    private var word = ""

    private mutating func endWord() {
        defer { word = "" }
        guard case .substitution(let depth, let cases) = stack.last!, word == "case" || word == "esac" else { return }
        stack[stack.count - 1] = .substitution(depth: depth, cases: max(0, cases + (word == "case" ? 1 : -1)))
    }

    /// Reads the word after `<<`; returns false when `c` ends it and must be scanned as usual.
    private mutating func readDelimiter(_ c: Character) -> Bool {
        guard var doc = readingDelimiter else { return false }
        if doc.delimiter.isEmpty && !delimiterQuoted {
            if c == "<" { readingDelimiter = nil; return true }  // `<<<` is a here-string, not a document
            if c == "-" && previous == "<" { doc.stripTabs = true; readingDelimiter = doc; return true }
            if c == " " || c == "\t" { return true }
        }
        if " \t\n;|&<>()".contains(c) {
            readingDelimiter = nil
            doc.expanding = !delimiterQuoted
            pending.append(doc)
            return false
        }
        if c == "'" || c == "\"" || c == "\\" { delimiterQuoted = true } else { doc.delimiter.append(c) }
        readingDelimiter = doc
        return true
    }

    private mutating func newline() {
        if !pending.isEmpty, case .plain = stack.last! {
            body = pending.removeFirst()
            line = ""
            lineHasValue = false
        }
    }
}
