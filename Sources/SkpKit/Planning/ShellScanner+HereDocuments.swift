/// Here-documents: the end word after `<<`, then the bodies after the next newline.
extension ShellScanner {
    /// Reads the word after `<<`; returns false when `c` ends it and must be scanned as usual.
    mutating func readDelimiter(_ c: UInt8) -> Bool {
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
    mutating func newline() {
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

    mutating func startBody(_ doc: HereDocument) {
        body = doc
        line.removeAll(keepingCapacity: true)
        lineHasValue = false
        bodyEscaped = false
        bodyDollar = false
        bodySubstitution = false
        bodyName = false
    }

    mutating func bodyStep(_ c: UInt8) {
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
