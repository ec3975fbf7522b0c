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
    enum Mode {
        case double, single, backquote, comment, ansiC, localized, parameter
        case substitution(depth: Int, cases: Int)
        case arithmetic(depth: Int, closing: Bool, command: Bool)
    }
    /// `readByShell`: its line names a shell or eval (`sh <<EOF`, `cat <<EOF | ssh h`), which reads the body as commands.
    struct HereDocument { var delimiter: [UInt8]; var expanding: Bool; var stripTabs: Bool; var level: Int; var readByShell = false }

    /// Outer modes; empty means plain text (no allocation for the common command).
    var stack: [Mode] = []
    var top: Mode? { stack.last }
    var escaped = false
    /// The byte before, unescaped; 0 after an escaped byte or a value.
    var previous: UInt8 = Byte.space
    /// An unescaped `$` was the last byte: `$(`, `${`, `$'`… start here, and a value cannot follow.
    var afterDollar = false
    /// The last bytes are `$name`: a value's first letters would continue the name.
    var inVariableName = false
    /// `$(` was the last two bytes: one more `(` makes it arithmetic.
    var substitutionJustOpened = false
    /// Nothing of the current word written yet (quotes alone do not count): where a value starting
    /// with `-` would be read as an option.
    var atWordStart = true
    /// A word has begun, quotes included: `#` inside a word (`""#x`, `a#b`) starts no comment.
    var inWord = false
    /// A construct the scanner cannot follow: every value after it is refused.
    var unsupported: String?
    // Here-documents: `<<` seen and its delimiter being read, then bodies after the next newline.
    var readingDelimiter: HereDocument?
    var delimiterQuoted = false
    var delimiterQuote: UInt8 = 0
    var delimiterEscaped = false
    var pending: [HereDocument] = []
    var body: HereDocument?
    var line: [UInt8] = []
    // In an expanding body (`<<EOF`) the shell still reads `\`, `$(…)`, `${…}` and backquotes.
    var bodyEscaped = false
    var bodyDollar = false
    var bodySubstitution = false
    var bodyName = false
    /// The plain word being written, for `case` … `esac` inside `$(…)`: its last four letters
    /// packed in an integer, and its length (-1 once it holds anything but letters).
    var word: UInt32 = 0
    var wordLength = 0
    /// Bytes of the current plain word, and whether it is a short option (`-c`, `-ec`: 1 without
    /// a `c`, 2 with one): `sh -c WORD` reads WORD again as shell code.
    var wordBytes = 0
    var optionWord = 0
    /// `eval …` and `sh -c '…'` read text again as shell code, so a value escaped for one reading
    /// is not safe there. The stack depth where `eval` stands (the rest of its command) and where
    /// the word after `sh -c` stands; a shell's name was the last word (its options may follow).
    var evalLevel: Int?
    var codeWordLevel: Int?
    var codeWordNext = false
    var afterShellName = false
    /// A simple command's first word (after `NAME=…` and reserved words) names its command. When
    /// that name comes from an expansion or a value (`$SHELL -c`, `${x:-eval}`), it could be eval
    /// or sh -c: from the depth where it stands, later values of the command are refused.
    var commandWordPending = true
    /// The command-word state of the words that hold open `$(…)`s and backquotes.
    var outside: [(pending: Bool, assignment: Int)] = []
    /// The current word has an expansion or a value since its last literal `/` (`$x/bin/tool` is
    /// a known tool; `/opt/$x` is not); it is `NAME=` (1), could still become one (0), or not (-1).
    var wordDynamic = false
    var assignment = 0
    var dynamicCommandLevel: Int?
    /// The line so far names a shell, ssh or eval, or a command from an expansion.
    var lineNamesShell = false

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
    var valueEndsHereDocument = false
    var lineHasValue = false

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

    mutating func step(_ c: UInt8) {
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
}
