/// A planned step as people read it, in the plan, the journal and `skp runs`: masked, values
/// from inventories shown escaped (`\x1b`), captured values as {{name@host}}.
extension PlannedStep {
    public func describe(style: Style) -> String {
        let line = describeKind(style: style)
        guard let retry else { return line }
        return line + style.dim("  (retry \(retry.attempts), delay \(Self.seconds(retry.delay)) s)")
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    private func describeKind(style: Style) -> String {
        switch kind {
        case .run(let command): return "$ \(command.shown)"
        case .show(let command): return style.dim("show") + "$ \(command.shown)"
        case .attach(let command): return style.yellow("attach") + "$ \(command.shown)"
        case .local(let command): return style.yellow("local$") + " \(command.shown)"
        case .capture(let name, let command, let local):
            return style.yellow("\(name) <-") + (local ? " local$ " : " $ ") + command.shown
        case .upload(let content, let path, let mode):
            let modeText = mode.map { " mode " + String($0, radix: 8).leftPad(4) } ?? ""
            var line = style.yellow("upload") + " \(path.visible())\(modeText) via SFTP"
            let shown = content.description
            if !shown.isEmpty {
                let lines = shown.split(separator: "\n", omittingEmptySubsequences: false)
                let preview = lines.prefix(3).joined(separator: "\\n")
                line += style.dim(": " + preview.visible() + (lines.count > 3 ? "…" : ""))
            }
            return line
        case .download(let remote, let local):
            return style.yellow("download") + " \(remote.visible()) to \(local.visible()) (this machine) via SFTP"
        case .echo(let text): return style.yellow("echo") + " \(text.description.visible())"
        case .fail(let text): return style.red("fail") + " \(text.description.visible())"
        case .until(let command, let every, let timeout):
            return style.yellow("until") + "$ \(command.shown)" + style.dim("  (every \(Self.seconds(every)) s, up to \(Self.seconds(timeout)) s)")
        }
    }
}

extension Command {
    /// A command as a person reads it: masked, and its line breaks kept (here-documents).
    var shown: String { description.visible(keepingLines: true) }
}

extension String {
    func leftPad(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
