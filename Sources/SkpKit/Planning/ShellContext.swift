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
/// each `${…}`: quotes, `$(…)` (with `case` patterns inside), `<(…)`, backquotes, comments and
/// here-documents (also inside `$(…)`). Where the shells differ or where no escaping keeps a value
/// inert (arithmetic, `${…}`, `$'…'`, comments, right after `$` or `\`), `refusal` says so and the
/// value is refused; after a construct it cannot follow, every later value is refused.
/// It is not a full shell parser: HostileInputTests runs what it produces in dash and bash for
/// each construct it knows. It reads UTF-8 bytes: every character that matters to the shell is
/// ASCII, and planning a thousand hosts runs it for every command of every host.
struct ShellScanner {
    /// `substitution` counts open parentheses and open `case` commands: a `case` pattern's `)`
    /// does not end `$(…)`. `arithmetic` is `$((…))` or bash's `((…))`; `closing` once its first
    /// `)` of `))` is read. `parameter` is `${…}`; `ansiC` is bash's `$'…'`, `localized` its `$"…"`.
    private enum Mode {
        case double, single, backquote, comment, ansiC, localized, parameter
        case substitution(depth: Int, cases: Int)
        case arithmetic(depth: Int, closing: Bool, command: Bool)
    }
    /// `readByShell`: its line names a shell or eval (`sh <<EOF`, `cat <<EOF | ssh h`), which reads the body as commands.
    private struct HereDocument { var delimiter: [UInt8]; var expanding: Bool; var stripTabs: Bool; var level: Int; var readByShell = false }

    /// Outer modes; empty means plain text (no allocation for the common command).
    private var stack: [Mode] = []
    private var top: Mode? { stack.last }
    private var escaped = false
    /// The byte before, unescaped; 0 after an escaped byte or a value.
    private var previous: UInt8 = Byte.space
    /// An unescaped `$` was the last byte: `$(`, `${`, `$'`… start here, and a value cannot follow.
    private var afterDollar = false
    /// The last bytes are `$name`: a value's first letters would continue the name.
    private var inVariableName = false
    /// `$(` was the last two bytes: one more `(` makes it arithmetic.
    private var substitutionJustOpened = false
    /// Nothing of the current word written yet (quotes alone do not count): where a value starting
    /// with `-` would be read as an option.
    private(set) var atWordStart = true
    /// A word has begun, quotes included: `#` inside a word (`""#x`, `a#b`) starts no comment.
    private var inWord = false
    /// A construct the scanner cannot follow: every value after it is refused.
    private var unsupported: String?
    // Here-documents: `<<` seen and its delimiter being read, then bodies after the next newline.
    private var readingDelimiter: HereDocument?
    private var delimiterQuoted = false
    private var delimiterQuote: UInt8 = 0
    private var delimiterEscaped = false
    private var pending: [HereDocument] = []
    private var body: HereDocument?
    private var line: [UInt8] = []
    // In an expanding body (`<<EOF`) the shell still reads `\`, `$(…)`, `${…}` and backquotes.
    private var bodyEscaped = false
    private var bodyDollar = false
    private var bodySubstitution = false
    private var bodyName = false
    /// The plain word being written, for `case` … `esac` inside `$(…)`: its last four letters
    /// packed in an integer, and its length (-1 once it holds anything but letters).
    private var word: UInt32 = 0
    private var wordLength = 0
    /// Bytes of the current plain word, and whether it is a short option (`-c`, `-ec`: 1 without
    /// a `c`, 2 with one): `sh -c WORD` reads WORD again as shell code.
    private var wordBytes = 0
    private var optionWord = 0
    /// `eval …` and `sh -c '…'` read text again as shell code, so a value escaped for one reading
    /// is not safe there. The stack depth where `eval` stands (the rest of its command) and where
    /// the word after `sh -c` stands; a shell's name was the last word (its options may follow).
    private var evalLevel: Int?
    private var codeWordLevel: Int?
    private var codeWordNext = false
    private var afterShellName = false
    /// A simple command's first word (after `NAME=…` and reserved words) names its command. When
    /// that name comes from an expansion or a value (`$SHELL -c`, `${x:-eval}`), it could be eval
    /// or sh -c: from the depth where it stands, later values of the command are refused.
    private var commandWordPending = true
    /// The command-word state of the words that hold open `$(…)`s and backquotes.
    private var outside: [(pending: Bool, assignment: Int)] = []
    /// The current word has an expansion or a value since its last literal `/` (`$x/bin/tool` is
    /// a known tool; `/opt/$x` is not); it is `NAME=` (1), could still become one (0), or not (-1).
    private var wordDynamic = false
    private var assignment = 0
    private var dynamicCommandLevel: Int?
    /// The line so far names a shell, ssh or eval, or a command from an expansion.
    private var lineNamesShell = false

    var context: Quoting {
        var quoting: Quoting
        if let body { quoting = .hereDocument(expanding: body.expanding) } else {
            switch top {
            case .double, .localized: quoting = .doubleQuoted
            case .single, .ansiC: quoting = .singleQuoted
            default: quoting = .word
            }
        }
        for case .backquote in stack { quoting = .insideBackquotes(quoting) }
        return quoting
    }

    /// Why no escaping keeps a value literal text at the current place (nil: `context` does).
    var refusal: (place: String, hint: String)? {
        let move = "put it where the shell reads it as text: a word, \"…\" or '…' (e.g. x=${…} first, then \"$x\")"
        if let unsupported {
            return ("after \(unsupported), which skp cannot follow to escape a value", "write the command without it, or " + move)
        }
        if readingDelimiter != nil { return ("as a here-document's end word", "write the end word in the task") }
        if let body {
            if body.readByShell {
                return ("in a here-document that a shell on its line reads as commands", "pass it as an argument or in a file, not in the script")
            }
            if bodyEscaped { return ("right after a backslash, which would escape its first character", move) }
            if bodyDollar { return ("right after a $, where the shell would expand it", move) }
            if bodyName { return ("right after a $NAME, where the shell would read it as more of the name", "write ${NAME} (\\${NAME} in a task string)") }
            if bodySubstitution {
                return ("in a here-document after $(…), ${…} or a backquote, where the shell reads it as code", "use a quoted end word (<<'EOF'), or " + move)
            }
            return nil
        }
        if escaped { return ("right after a backslash, which would escape its first character", move) }
        if afterDollar { return ("right after a $, where the shell would expand it", move) }
        if dynamicCommandLevel != nil {
            return ("after a command whose name comes from an expansion or a value, which could be eval or sh -c",
                    "write the command's name in the task (a path ending in a literal name is fine: ${…}/bin/tool)")
        }
        if evalLevel != nil || codeWordLevel != nil || (codeWordNext && wordBytes == 0) {
            return ("in text that eval or sh -c reads again as shell code, where escaping for one reading is not enough",
                    "pass it as an argument instead: sh -c 'printf %s \"$1\"' sh ${…}")
        }
        if inVariableName { return ("right after a $NAME, where the shell would read it as more of the name", "write ${NAME} (\\${NAME} in a task string)") }
        for mode in stack {
            switch mode {
            case .comment: return ("in a comment, which a line break in it would end", "take it out of the comment")
            case .arithmetic: return ("inside arithmetic ((…)), where the shell evaluates text as code", "check it is a number before the task uses it, outside the arithmetic")
            case .parameter: return ("inside a parameter expansion ${…}", move)
            case .ansiC: return ("inside $'…', whose escapes the shells read differently", move)
            case .localized: return ("inside $\"…\"", move)
            default: continue
            }
        }
        return nil
    }

    /// A line of a here-document, made with a value, that ends it early (equals its delimiter, or
    /// is joined to the next line by a backslash, which bash and dash read differently): the lines
    /// after it would run as commands.
    private(set) var valueEndsHereDocument = false
    private var lineHasValue = false

    /// A value was written at the current place, as `rendered`.
    mutating func valueWritten(_ rendered: @autoclosure () -> String) {
        if body != nil {
            // Text of a here-document: no word of the command around it.
            line += rendered().utf8
            lineHasValue = true
            bodyEscaped = false
            bodyDollar = false
            bodyName = false
            return
        }
        atWordStart = false
        inWord = true
        previous = 0
        afterDollar = false
        inVariableName = false
        substitutionJustOpened = false
        // A value is not a word the scanner reads (`case`, `eval`, `sh`), but it starts one.
        wordLength = -1
        if wordBytes == 0, codeWordNext { codeWordLevel = stack.count; codeWordNext = false }
        wordBytes += 1
        optionWord = 0
        wordDynamic = true
        if assignment == 0 { assignment = -1 }
    }

    /// The end of the command: its last line may close a here-document too.
    mutating func finish() {
        if body != nil { step(Byte.newline) }
    }

    mutating func consume(_ text: String) {
        for byte in text.utf8 { step(byte) }
    }

    private mutating func step(_ c: UInt8) {
        if body != nil { bodyStep(c); return }
        if readingDelimiter != nil, readDelimiter(c) { return }
        let dollar = afterDollar, fresh = substitutionJustOpened
        inVariableName = !escaped && (dollar || inVariableName) && Byte.continuesName(c, first: dollar)
        afterDollar = false
        substitutionJustOpened = false
        if escaped {
            escaped = false
            atWordStart = false
            inWord = true
            previous = 0
            // An escaped backquote inside backquotes nests a command the scanner does not follow;
            // in bash's $'…', \' does not end the quotes but in dash it does.
            if c == Byte.backquote && stack.contains(where: Self.isBackquote) { unsupported = "\\` inside backquotes" }
            if c == Byte.singleQuote, case .ansiC = top { unsupported = "\\' inside $'…'" }
            return
        }
        defer { previous = c }
        switch top {
        case .single:
            if c == Byte.singleQuote { stack.removeLast() } else { atWordStart = false }
        case .ansiC:
            if c == Byte.singleQuote { stack.removeLast() } else if c == Byte.backslash { escaped = true }
        case .double, .localized:
            switch c {
            case Byte.backslash: escaped = true
            case Byte.doubleQuote: stack.removeLast()
            case Byte.backquote: openBackquote(); wordDynamic = true
            case Byte.dollar: afterDollar = !dollar; atWordStart = false; wordDynamic = true
            case Byte.slash: wordDynamic = false
            case Byte.openParen where dollar: openSubstitution()
            case Byte.openBrace where dollar: stack.append(.parameter)
            case Byte.openBracket where dollar: unsupported = "$[…]"
            default: atWordStart = false
            }
        case .comment:
            if c == Byte.newline { stack.removeLast(); newline() }
            else if c == Byte.backquote && stack.contains(where: Self.isBackquote) { unsupported = "a comment inside backquotes" }
        case .arithmetic(let depth, let closing, let command):
            arithmetic(c, depth: depth, closing: closing, command: command, dollar: dollar)
        case .parameter:
            parameter(c, dollar: dollar)
        case nil, .backquote, .substitution:
            plain(c, dollar: dollar, fresh: fresh)
        }
    }

    /// Outside quotes (also inside `$(…)` and backquotes, which start a fresh shell context).
    private mutating func plain(_ c: UInt8, dollar: Bool, fresh: Bool) {
        let opensSubstitution = c == Byte.openParen && (dollar || previous == Byte.less || previous == Byte.greater)
        if Byte.endsWord(c) && !opensSubstitution {
            endWord()
            if Byte.endsCommand(c) { commandEnds() }
        } else if !opensSubstitution {
            if wordBytes == 0 {
                optionWord = c == Byte.dash ? 1 : 0
                if codeWordNext { codeWordLevel = stack.count; codeWordNext = false }
                assignment = Byte.continuesName(c, first: true) ? 0 : -1
                wordDynamic = false
            } else {
                if optionWord > 0 { optionWord = !Byte.isLetter(c) ? 0 : c == UInt8(ascii: "c") ? 2 : optionWord }
                if assignment == 0 { assignment = c == Byte.equals ? 1 : Byte.continuesName(c, first: false) ? 0 : -1 }
            }
            wordBytes += 1
            if c == Byte.slash { word = 0; wordLength = 0; wordDynamic = false }  // a path: its last part names the command
            else if Byte.isLetter(c), wordLength >= 0 { word = word << 8 | UInt32(c); wordLength += 1 } else { wordLength = -1 }
            if c == Byte.dollar || c == Byte.backquote { wordDynamic = true }
        }
        switch c {
        case Byte.backslash: escaped = true
        case Byte.singleQuote: stack.append(dollar ? .ansiC : .single); inWord = true
        case Byte.doubleQuote: stack.append(dollar ? .localized : .double); inWord = true
        case Byte.backquote:
            if case .backquote = top { stack.removeLast(); restorePending(); closed(); inWord = true } else { openBackquote() }
            atWordStart = true
        case Byte.hash where !inWord:
            stack.append(.comment)
        case Byte.dollar:
            afterDollar = !dollar
            atWordStart = false
            inWord = true
        case Byte.openBrace where dollar:
            stack.append(.parameter)
        case Byte.openBracket where dollar:
            unsupported = "$[…]"
        case Byte.openParen:
            if dollar || previous == Byte.less || previous == Byte.greater { openSubstitution(arithmeticMayFollow: dollar) }
            else if fresh || previous == Byte.openParen { openArithmetic(command: !fresh) }
            else if case .substitution(let depth, let cases) = top { stack[stack.count - 1] = .substitution(depth: depth + 1, cases: cases) }
            atWordStart = true
            inWord = false
        case Byte.closeParen:
            if case .substitution(let depth, let cases) = top {
                if depth > 0 { stack[stack.count - 1] = .substitution(depth: depth - 1, cases: cases) }
                else if cases == 0 { stack.removeLast(); restorePending(); closed(); atWordStart = false; inWord = true; return }  // else a case pattern's end
            }
            atWordStart = true
            inWord = false
        case Byte.less where previous == Byte.less:
            readingDelimiter = HereDocument(delimiter: [], expanding: true, stripTabs: false, level: stack.count)
            delimiterQuoted = false
            atWordStart = true
            inWord = false
        case Byte.newline:
            atWordStart = true
            inWord = false
            newline()
        default:
            atWordStart = Byte.endsWord(c)
            inWord = !atWordStart
        }
    }

    /// Inside `$((…))` or `((…))`: only where it ends matters, as no value may stand inside.
    private mutating func arithmetic(_ c: UInt8, depth: Int, closing: Bool, command: Bool, dollar: Bool) {
        if closing {
            if c == Byte.closeParen { stack.removeLast(); closed(); inWord = true } else { unsupported = "((…) …) that is not arithmetic" }
            return
        }
        switch c {
        case Byte.openParen where dollar: openSubstitution()
        case Byte.openParen: stack[stack.count - 1] = .arithmetic(depth: depth + 1, closing: false, command: command)
        case Byte.closeParen: stack[stack.count - 1] = .arithmetic(depth: max(0, depth - 1), closing: depth == 0, command: command)
        case Byte.openBrace where dollar: stack.append(.parameter)
        case Byte.dollar: afterDollar = !dollar
        case Byte.backslash: escaped = true
        // bash reads `((a<<b))` as a shift, dash as nested subshells with a here-document.
        case Byte.less where command: unsupported = "< inside ((…))"
        case Byte.singleQuote, Byte.doubleQuote, Byte.backquote: unsupported = "quotes inside arithmetic"
        default: break
        }
    }

    /// Inside `${…}`: no value may stand inside; quotes nest, and `}` ends it.
    private mutating func parameter(_ c: UInt8, dollar: Bool) {
        let quoted = stack.contains { if case .double = $0 { true } else { false } }
        switch c {
        case Byte.closeBrace: stack.removeLast(); closed()
        // bash counts `{` inside `${…}`, dash does not; and inside "…" the shells read ' differently.
        case Byte.openBrace where !dollar: unsupported = "{ inside ${…}"
        case Byte.openBrace: stack.append(.parameter)
        case Byte.singleQuote where quoted: unsupported = "' inside \"${…}\""
        case Byte.singleQuote: stack.append(.single)
        case Byte.doubleQuote: stack.append(.double)
        case Byte.backquote: openBackquote()
        case Byte.backslash: escaped = true
        case Byte.dollar: afterDollar = !dollar
        case Byte.openParen where dollar: openSubstitution()
        case Byte.openBracket where dollar: unsupported = "$[…]"
        default: break
        }
    }

    private mutating func openSubstitution(arithmeticMayFollow: Bool = true) {
        stack.append(.substitution(depth: 0, cases: 0))
        substitutionJustOpened = arithmeticMayFollow
        wordLength = 0
        wordBytes = 0
        outside.append((commandWordPending, assignment))
        commandWordPending = true
        inWord = false
    }

    /// Leaving `$(…)` or backquotes: back to the word that holds them.
    private mutating func restorePending() {
        let state = outside.popLast() ?? (true, -1)
        commandWordPending = state.pending
        assignment = state.assignment
    }

    /// `;`, `&`, `|`, a line break or a parenthesis: a new command starts at this level.
    private mutating func commandEnds() {
        commandWordPending = true
        if dynamicCommandLevel == stack.count { dynamicCommandLevel = nil }
        if evalLevel == stack.count { evalLevel = nil }
        if codeWordLevel == stack.count { codeWordLevel = nil }
        codeWordNext = false
        afterShellName = false
    }

    /// `$((` (the `$(` just opened becomes arithmetic) or `((` at a command's start (bash).
    private mutating func openArithmetic(command: Bool) {
        if command, case .substitution(let depth, let cases) = top, depth > 0 {
            stack[stack.count - 1] = .substitution(depth: depth - 1, cases: cases)
        } else if !command {
            stack.removeLast()
            restorePending()
        }
        stack.append(.arithmetic(depth: 0, closing: false, command: command))
    }

    /// Backquotes end at the next unescaped backquote, whatever is open inside them.
    private mutating func openBackquote() {
        if stack.contains(where: Self.isBackquote) { unsupported = "a backquote inside (…) inside backquotes" }
        stack.append(.backquote)
        inWord = false
        wordLength = 0
        wordBytes = 0
        outside.append((commandWordPending, assignment))
        commandWordPending = true
    }

    /// A mode was closed: here-documents declared inside it and not begun would start outside it.
    private mutating func closed() {
        // Back in the word that holds the closed part: it has begun, and is no name or option.
        wordBytes = 1
        wordLength = -1
        optionWord = 0
        wordDynamic = true
        if assignment == 0 { assignment = -1 }
        if pending.contains(where: { $0.level > stack.count }) { unsupported = "a here-document whose line ends after its (…)" }
    }

    private static func isBackquote(_ mode: Mode) -> Bool { if case .backquote = mode { true } else { false } }

    /// `if`, `then`, `else`, `elif`, `do`, `while`, `until`, `time`, `!`, `{`: a command follows.
    private func isReservedWord() -> Bool {
        switch wordLength {
        case 2, 4: Byte.reservedWords.contains(word)
        case 5: word == Byte.hileWord || word == Byte.ntilWord
        case -1: wordBytes == 1 && (previous == UInt8(ascii: "!") || previous == UInt8(ascii: "{"))
        default: false
        }
    }

    private mutating func endWord() {
        defer { word = 0; wordLength = 0; wordBytes = 0; optionWord = 0 }
        guard wordBytes > 0 else { return }
        if codeWordLevel == stack.count { codeWordLevel = nil }
        if wordLength == 4 && word == Byte.evalWord, evalLevel == nil { evalLevel = stack.count }
        if (2...4).contains(wordLength) && (Byte.shellNames.contains(word) || word == Byte.sshWord || word == Byte.evalWord) { lineNamesShell = true }
        if (2...4).contains(wordLength) && Byte.shellNames.contains(word) { afterShellName = true }
        else if afterShellName && optionWord == 2 { codeWordNext = true; afterShellName = false }
        else if optionWord != 1 { afterShellName = false }
        if commandWordPending, assignment != 1, !isReservedWord() {
            commandWordPending = false
            if wordDynamic, dynamicCommandLevel == nil { dynamicCommandLevel = stack.count }
            if wordDynamic { lineNamesShell = true }
        }
        guard wordLength == 4, case .substitution(let depth, let cases) = top else { return }
        if word == Byte.caseWord { stack[stack.count - 1] = .substitution(depth: depth, cases: cases + 1) }
        if word == Byte.esacWord { stack[stack.count - 1] = .substitution(depth: depth, cases: max(0, cases - 1)) }
    }

    /// Reads the word after `<<`; returns false when `c` ends it and must be scanned as usual.
    private mutating func readDelimiter(_ c: UInt8) -> Bool {
        guard var doc = readingDelimiter else { return false }
        defer { previous = c }
        if delimiterQuote != 0 {
            if c == delimiterQuote { delimiterQuote = 0 } else { doc.delimiter.append(c) }
            readingDelimiter = doc
            return true
        }
        if delimiterEscaped {
            delimiterEscaped = false
            doc.delimiter.append(c)
            readingDelimiter = doc
            return true
        }
        if doc.delimiter.isEmpty && !delimiterQuoted {
            if c == Byte.less { readingDelimiter = nil; return true }  // `<<<` is a here-string, not a document
            if c == Byte.dash && previous == Byte.less { doc.stripTabs = true; readingDelimiter = doc; return true }
            if c == Byte.space || c == Byte.tab { return true }
        }
        if Byte.endsWord(c) {
            readingDelimiter = nil
            if doc.delimiter.isEmpty && !delimiterQuoted { unsupported = "<< without an end word" }
            doc.expanding = !delimiterQuoted
            pending.append(doc)
            return false
        }
        switch c {
        case Byte.singleQuote, Byte.doubleQuote: delimiterQuoted = true; delimiterQuote = c
        case Byte.backslash: delimiterQuoted = true; delimiterEscaped = true
        case Byte.dollar, Byte.backquote: unsupported = "a here-document end word with $ or `"
        default: doc.delimiter.append(c)
        }
        readingDelimiter = doc
        return true
    }

    /// A line break outside quotes: the bodies of here-documents declared at this level begin.
    private mutating func newline() {
        let shellReads = lineNamesShell
        lineNamesShell = false
        guard let next = pending.first else { return }
        if shellReads { for i in pending.indices { pending[i].readByShell = true } }
        let atCommandLevel: Bool = switch top { case nil, .substitution: true; default: false }
        guard next.level == stack.count, atCommandLevel, !stack.contains(where: Self.isBackquote) else {
            unsupported = "a here-document whose line ends inside (…) or backquotes"
            return
        }
        startBody(pending.removeFirst())
    }

    private mutating func startBody(_ doc: HereDocument) {
        body = doc
        line.removeAll(keepingCapacity: true)
        lineHasValue = false
        bodyEscaped = false
        bodyDollar = false
        bodySubstitution = false
        bodyName = false
    }

    private mutating func bodyStep(_ c: UInt8) {
        guard let doc = body else { return }
        if c == Byte.newline {
            if bodyEscaped {
                // bash joins the lines before it looks for the end word, dash does not.
                if lineHasValue { valueEndsHereDocument = true }
                unsupported = "a backslash at the end of a here-document line"
                bodyEscaped = false
                line.append(c)
                return
            }
            let text = doc.stripTabs ? Array(line.drop { $0 == Byte.tab }) : line
            if text == doc.delimiter {
                if lineHasValue { valueEndsHereDocument = true }
                body = nil
                if let next = pending.first, next.level == doc.level { startBody(pending.removeFirst()) }
                previous = c
                return
            }
            line.removeAll(keepingCapacity: true)
            lineHasValue = false
            bodyDollar = false
            bodyName = false
            return
        }
        line.append(c)
        guard doc.expanding else { return }
        let wasDollar = bodyDollar
        bodyName = !bodyEscaped && (wasDollar || bodyName) && Byte.continuesName(c, first: wasDollar)
        bodyDollar = false
        if bodyEscaped { bodyEscaped = false; return }
        switch c {
        case Byte.backslash: bodyEscaped = true
        case Byte.dollar: bodyDollar = !wasDollar
        case Byte.backquote: bodySubstitution = true
        case Byte.openParen, Byte.openBrace, Byte.openBracket: if wasDollar { bodySubstitution = true }
        default: break
        }
    }
}

/// The ASCII bytes the scanner looks for.
private enum Byte {
    static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), newline = UInt8(ascii: "\n")
    static let backslash = UInt8(ascii: "\\"), singleQuote = UInt8(ascii: "'"), doubleQuote = UInt8(ascii: "\"")
    static let backquote = UInt8(ascii: "`"), dollar = UInt8(ascii: "$"), hash = UInt8(ascii: "#"), dash = UInt8(ascii: "-")
    static let openParen = UInt8(ascii: "("), closeParen = UInt8(ascii: ")"), less = UInt8(ascii: "<"), greater = UInt8(ascii: ">")
    static let semicolon = UInt8(ascii: ";"), ampersand = UInt8(ascii: "&"), pipe = UInt8(ascii: "|")
    static let slash = UInt8(ascii: "/"), equals = UInt8(ascii: "=")
    /// if, do, then, else, elif, time; and the last four letters of while and until.
    static let reservedWords: Set<UInt32> = [0x6966, 0x646F, 0x7468_656E, 0x656C_7365, 0x656C_6966, 0x7469_6D65]
    static let hileWord = UInt32(0x6869_6C65), ntilWord = UInt32(0x6E74_696C), sshWord = UInt32(0x73_7368)

    /// `;`, `&`, `|`, a line break and parentheses end a simple command.
    static func endsCommand(_ c: UInt8) -> Bool {
        c == semicolon || c == ampersand || c == pipe || c == newline || c == openParen || c == closeParen
    }
    static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}"), openBracket = UInt8(ascii: "[")
    /// `case` and `esac` packed as ShellScanner packs a word.
    static let caseWord = UInt32(0x6361_7365), esacWord = UInt32(0x6573_6163), evalWord = UInt32(0x6576_616C)
    /// sh, bash, dash, zsh, ksh, ash and su, packed the same way: their `-c` takes shell code.
    static let shellNames: Set<UInt32> = [0x7368, 0x6261_7368, 0x6461_7368, 0x7A_7368, 0x6B_7368, 0x61_7368, 0x7375]

    /// Blanks and the operators that end a shell word.
    static func endsWord(_ c: UInt8) -> Bool {
        switch c {
        case space, tab, newline, UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "&"), less, greater, openParen, closeParen: true
        default: false
        }
    }

    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") }

    /// Whether `c` is part of a variable name after `$` (`first`) or after its first letters.
    static func continuesName(_ c: UInt8, first: Bool) -> Bool {
        isLetter(c) || c == UInt8(ascii: "_") || (!first && c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }
}
