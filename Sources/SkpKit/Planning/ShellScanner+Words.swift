/// Outside quotes and substitutions: words, operators, quotes opening, `$` and comments.
extension ShellScanner {
    /// Outside quotes (also inside `$(…)` and backquotes, which start a fresh shell context).
    mutating func plain(_ c: UInt8, dollar: Bool, fresh: Bool) {
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
}
