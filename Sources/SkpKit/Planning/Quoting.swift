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
