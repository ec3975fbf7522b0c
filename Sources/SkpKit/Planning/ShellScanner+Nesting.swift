/// Substitutions, arithmetic, parameter expansions and backquotes: opening and closing them.
extension ShellScanner {
    /// Inside `$((…))` or `((…))`: only where it ends matters, as no value may stand inside.
    mutating func arithmetic(_ c: UInt8, depth: Int, closing: Bool, command: Bool, dollar: Bool) {
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
    mutating func parameter(_ c: UInt8, dollar: Bool) {
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

    mutating func openSubstitution(arithmeticMayFollow: Bool = true) {
        stack.append(.substitution(depth: 0, cases: 0))
        substitutionJustOpened = arithmeticMayFollow
        wordLength = 0
        wordBytes = 0
        outside.append((commandWordPending, assignment))
        commandWordPending = true
        inWord = false
    }

    /// Leaving `$(…)` or backquotes: back to the word that holds them.
    mutating func restorePending() {
        let state = outside.popLast() ?? (true, -1)
        commandWordPending = state.pending
        assignment = state.assignment
    }

    /// `;`, `&`, `|`, a line break or a parenthesis: a new command starts at this level.
    mutating func commandEnds() {
        commandWordPending = true
        if dynamicCommandLevel == stack.count { dynamicCommandLevel = nil }
        if evalLevel == stack.count { evalLevel = nil }
        if codeWordLevel == stack.count { codeWordLevel = nil }
        codeWordNext = false
        afterShellName = false
    }

    /// `$((` (the `$(` just opened becomes arithmetic) or `((` at a command's start (bash).
    mutating func openArithmetic(command: Bool) {
        if command, case .substitution(let depth, let cases) = top, depth > 0 {
            stack[stack.count - 1] = .substitution(depth: depth - 1, cases: cases)
        } else if !command {
            stack.removeLast()
            restorePending()
        }
        stack.append(.arithmetic(depth: 0, closing: false, command: command))
    }

    /// Backquotes end at the next unescaped backquote, whatever is open inside them.
    mutating func openBackquote() {
        if stack.contains(where: Self.isBackquote) { unsupported = "a backquote inside (…) inside backquotes" }
        stack.append(.backquote)
        inWord = false
        wordLength = 0
        wordBytes = 0
        outside.append((commandWordPending, assignment))
        commandWordPending = true
    }

    /// A mode was closed: here-documents declared inside it and not begun would start outside it.
    mutating func closed() {
        // Back in the word that holds the closed part: it has begun, and is no name or option.
        wordBytes = 1
        wordLength = -1
        optionWord = 0
        wordDynamic = true
        if assignment == 0 { assignment = -1 }
        if pending.contains(where: { $0.level > stack.count }) { unsupported = "a here-document whose line ends after its (…)" }
    }

    static func isBackquote(_ mode: Mode) -> Bool { if case .backquote = mode { true } else { false } }

    /// `if`, `then`, `else`, `elif`, `do`, `while`, `until`, `time`, `!`, `{`: a command follows.
    func isReservedWord() -> Bool {
        switch wordLength {
        case 2, 4: Byte.reservedWords.contains(word)
        case 5: word == Byte.hileWord || word == Byte.ntilWord
        case -1: wordBytes == 1 && (previous == UInt8(ascii: "!") || previous == UInt8(ascii: "{"))
        default: false
        }
    }

    mutating func endWord() {
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
}
