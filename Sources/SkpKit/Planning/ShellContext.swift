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
/// and bash for each construct it knows. It reads UTF-8 bytes: every character that matters to the
/// shell is ASCII, and planning a thousand hosts runs it for every command of every host.
struct ShellScanner {
    /// `substitution` counts open parentheses and open `case` commands: a `case` pattern's `)`
    /// does not end `$(…)`.
    private enum Mode { case plain, double, single, backquote, substitution(depth: Int, cases: Int), comment }
    private struct HereDocument { var delimiter: [UInt8]; var expanding: Bool; var stripTabs: Bool }

    /// Outer modes; empty means plain text (no allocation for the common command).
    private var stack: [Mode] = []
    private var top: Mode { stack.last ?? .plain }
    private var escaped = false
    private var previous: UInt8 = Byte.space
    /// Nothing of the current word written yet (quotes alone do not count).
    private(set) var atWordStart = true
    // Here-documents: `<<` seen and its delimiter being read, then bodies after the next newline.
    private var readingDelimiter: HereDocument?
    private var delimiterQuoted = false
    private var pending: [HereDocument] = []
    private var body: HereDocument?
    private var line: [UInt8] = []
    /// The plain word being written, for `case` … `esac` inside `$(…)`: its last four letters
    /// packed in an integer, and its length (-1 once it holds anything but letters).
    private var word: UInt32 = 0
    private var wordLength = 0

    var context: Quoting {
        var quoting: Quoting
        if let body { quoting = .hereDocument(expanding: body.expanding) } else {
            switch top {
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
    mutating func valueWritten(_ rendered: @autoclosure () -> String) {
        atWordStart = false
        if body != nil { line += rendered().utf8; lineHasValue = true }
    }

    /// The end of the command: its last line may close a here-document too.
    mutating func finish() {
        if body != nil { step(Byte.newline) }
    }

    mutating func consume(_ text: String) {
        for byte in text.utf8 { step(byte) }
    }

    private mutating func step(_ c: UInt8) {
        defer { previous = c }
        if let doc = body {
            if c == Byte.newline {
                let text = doc.stripTabs ? Array(line.drop { $0 == Byte.tab }) : line
                if text == doc.delimiter {
                    if lineHasValue { valueEndsHereDocument = true }
                    body = pending.isEmpty ? nil : pending.removeFirst()
                }
                line.removeAll(keepingCapacity: true)
                lineHasValue = false
            } else {
                line.append(c)
            }
            return
        }
        if readingDelimiter != nil, readDelimiter(c) { return }
        if escaped { escaped = false; atWordStart = false; return }
        switch top {
        case .single:
            if c == Byte.singleQuote { stack.removeLast() } else { atWordStart = false }
        case .double:
            switch c {
            case Byte.backslash: escaped = true
            case Byte.doubleQuote: stack.removeLast()
            case Byte.backquote: stack.append(.backquote)
            case Byte.openParen where previous == Byte.dollar: stack.append(.substitution(depth: 0, cases: 0)); wordLength = 0
            default: atWordStart = false
            }
        case .comment:
            if c == Byte.newline { stack.removeLast(); newline() }
        case .plain, .backquote, .substitution:
            plain(c)
        }
    }

    /// Outside quotes (also inside `$(…)` and backquotes, which start a fresh shell context).
    private mutating func plain(_ c: UInt8) {
        if Byte.endsWord(c) || c == Byte.backquote { endWord() }
        else if Byte.isLetter(c), wordLength >= 0 { word = word << 8 | UInt32(c); wordLength += 1 } else { wordLength = -1 }
        switch c {
        case Byte.backslash: escaped = true
        case Byte.singleQuote: stack.append(.single)
        case Byte.doubleQuote: stack.append(.double)
        case Byte.backquote:
            if case .backquote = top { stack.removeLast() } else { stack.append(.backquote) }
            atWordStart = true
        case Byte.hash where atWordStart && previous != Byte.dollar:
            stack.append(.comment)
        case Byte.openParen:
            if previous == Byte.dollar { stack.append(.substitution(depth: 0, cases: 0)) }
            else if case .substitution(let depth, let cases) = top { stack[stack.count - 1] = .substitution(depth: depth + 1, cases: cases) }
            atWordStart = true
        case Byte.closeParen:
            if case .substitution(let depth, let cases) = top {
                if depth > 0 { stack[stack.count - 1] = .substitution(depth: depth - 1, cases: cases) }
                else if cases == 0 { stack.removeLast() }  // otherwise the end of a case pattern
            }
            atWordStart = true
        case Byte.less where previous == Byte.less:
            readingDelimiter = HereDocument(delimiter: [], expanding: true, stripTabs: false)
            delimiterQuoted = false
            atWordStart = true
        case Byte.newline:
            atWordStart = true
            newline()
        default:
            atWordStart = Byte.endsWord(c)
        }
    }

    private mutating func endWord() {
        defer { word = 0; wordLength = 0 }
        guard wordLength == 4, case .substitution(let depth, let cases) = top else { return }
        if word == Byte.caseWord { stack[stack.count - 1] = .substitution(depth: depth, cases: cases + 1) }
        if word == Byte.esacWord { stack[stack.count - 1] = .substitution(depth: depth, cases: max(0, cases - 1)) }
    }

    /// Reads the word after `<<`; returns false when `c` ends it and must be scanned as usual.
    private mutating func readDelimiter(_ c: UInt8) -> Bool {
        guard var doc = readingDelimiter else { return false }
        if doc.delimiter.isEmpty && !delimiterQuoted {
            if c == Byte.less { readingDelimiter = nil; return true }  // `<<<` is a here-string, not a document
            if c == Byte.dash && previous == Byte.less { doc.stripTabs = true; readingDelimiter = doc; return true }
            if c == Byte.space || c == Byte.tab { return true }
        }
        if Byte.endsWord(c) {
            readingDelimiter = nil
            doc.expanding = !delimiterQuoted
            pending.append(doc)
            return false
        }
        if c == Byte.singleQuote || c == Byte.doubleQuote || c == Byte.backslash { delimiterQuoted = true } else { doc.delimiter.append(c) }
        readingDelimiter = doc
        return true
    }

    private mutating func newline() {
        if !pending.isEmpty, case .plain = top {
            body = pending.removeFirst()
            line.removeAll(keepingCapacity: true)
            lineHasValue = false
        }
    }
}

/// The ASCII bytes the scanner looks for.
private enum Byte {
    static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), newline = UInt8(ascii: "\n")
    static let backslash = UInt8(ascii: "\\"), singleQuote = UInt8(ascii: "'"), doubleQuote = UInt8(ascii: "\"")
    static let backquote = UInt8(ascii: "`"), dollar = UInt8(ascii: "$"), hash = UInt8(ascii: "#"), dash = UInt8(ascii: "-")
    static let openParen = UInt8(ascii: "("), closeParen = UInt8(ascii: ")"), less = UInt8(ascii: "<")
    /// `case` and `esac` packed as ShellScanner packs a word.
    static let caseWord = UInt32(0x6361_7365), esacWord = UInt32(0x6573_6163)

    /// Blanks and the operators that end a shell word.
    static func endsWord(_ c: UInt8) -> Bool {
        switch c {
        case space, tab, newline, UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "&"), less, UInt8(ascii: ">"), openParen, closeParen: true
        default: false
        }
    }

    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") }
}
