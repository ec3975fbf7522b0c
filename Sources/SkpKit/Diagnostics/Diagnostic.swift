/// A user-facing error about an input file: where, what, and optionally how to fix it.
///
/// Every mistake in an inventory, a task file or a command line becomes one of these; the CLI
/// prints it with `render` and exits with `ExitCode.inputError`. Nothing runs after one.
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
    public var location: SourceLocation?
    /// What is wrong, as a value; `message` puts it into words.
    public var problem: Problem
    public var message: String { problem.description }
    public var hint: String?
    /// The source line to quote under the message, when known.
    public var sourceLine: String?
    /// How many columns the caret underline spans.
    public var width: Int

    public init(_ problem: Problem, at location: SourceLocation? = nil, source: SourceText? = nil,
                hint: String? = nil, width: Int = 1) {
        self.problem = problem
        self.location = location
        self.hint = hint
        self.width = max(1, width)
        if let location, let source, let line = source.line(location.line) {
            sourceLine = String(line)
        }
    }

    /// A mistake of no particular kind, said in a sentence.
    public init(_ message: String, at location: SourceLocation? = nil, source: SourceText? = nil,
                hint: String? = nil, width: Int = 1) {
        self.init(.other(message), at: location, source: source, hint: hint, width: width)
    }

    public var description: String { render(color: false) }

    /// `file:line:col: error: message`, then the source line with a caret under the column.
    public func render(color: Bool) -> String {
        let red = color ? "\u{1B}[1;31m" : "", bold = color ? "\u{1B}[1m" : ""
        let cyan = color ? "\u{1B}[36m" : "", reset = color ? "\u{1B}[0m" : ""
        let message = Printable.withoutKeys(message), hint = hint.map(Printable.withoutKeys)
        // An inventory line can hold a credential (`"account_key": "…"`): it is quoted masked,
        // and the caret placed under the masked text.
        // Any file but a task file: an inventory, or whatever was given as one (`--hosts .env`).
        let secretFields = location.map { !$0.file.hasSuffix(".skp") } ?? false
        let show = { (text: String) in secretFields ? Printable.maskingSecretFields(Printable.withoutKeys(text)) : Printable.withoutKeys(text) }
        let sourceLine = sourceLine.map(show)
        let before = self.sourceLine.map { show(String($0.prefix(location?.column ?? 0))) } ?? ""
        var out = ""
        if let location { out += "\(bold)\(location):\(reset) " }
        // Messages quote values from inventories and flags: shown escaped, they cannot rewrite the screen.
        out += "\(red)error:\(reset) \(bold)\(message.visible(keepingLines: true))\(reset)"
        if let location, let sourceLine {
            let number = String(location.line + 1)
            let gutter = String(repeating: " ", count: number.count)
            // Tabs stay tabs under the caret so it lines up in the terminal.
            let pad = String(before.map { $0 == "\t" ? "\t" : " " })
            out += "\n\(cyan)\(gutter) |\(reset)"
            out += "\n\(cyan)\(number) |\(reset) \(sourceLine.visible(keepingLines: true))"
            out += "\n\(cyan)\(gutter) |\(reset) \(pad)\(red)\(String(repeating: "^", count: width))\(reset)"
        }
        if let hint { out += "\n\(cyan)hint:\(reset) \(hint.visible(keepingLines: true))" }
        return out
    }
}

/// Several diagnostics found in one pass (an inventory can have more than one mistake).
public struct DiagnosticList: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
