/// A command (or file content) built from parts, so it can be shown with secrets masked and
/// captured values as placeholders, while only the transport sees the real text.
public struct Command: Sendable, CustomStringConvertible {
    public enum Part: Sendable {
        /// Text the task author wrote.
        case literal(String)
        /// An interpolated value, escaped for where it stands in the shell text.
        case value(String, quoting: Quoting)
        /// A credential: shown as ***.
        case secret(Secret, quoting: Quoting)
        /// A value captured on another host earlier in the run: known only when it runs.
        case captured(String, quoting: Quoting)
        /// A whole command passed as one quoted word (`sudo -n sh -c '…'`).
        case nested(Command)
        /// A whole command run by sudo with a password on its stdin (`Become`): shown as
        /// `sudo -S -p '' sh -c '…'`; the password is a secret, never in the text.
        case become(Command, password: Secret, host: String)
    }

    public var parts: [Part]

    public init(_ parts: [Part] = []) { self.parts = parts }
    public init(literal: String) { parts = [.literal(literal)] }

    /// The masked form: for plans, logs, JSON reports and the summary.
    public var description: String { render(captures: nil) }

    /// The real text, with captured values filled in. Only the transport calls this with secrets.
    public func render(captures: [String: String]?, masked: Bool = false) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .value(let text, let quoting): out += quoting.apply(text)
            case .secret(let secret, let quoting):
                if masked || captures == nil { out += "***" } else { out += quoting.apply(secret.revealed) }
            case .captured(let name, let quoting):
                if let value = captures?[name], !masked { out += quoting.apply(value) }
                else { out += "{{\(name)}}" }
            case .nested(let inner):
                if captures == nil || masked {
                    out += ShellQuote.quote(inner.render(captures: captures, masked: true))
                } else {
                    out += ShellQuote.quote(inner.render(captures: captures))
                }
            case .become(let inner, _, _):
                out += Become.shown + ShellQuote.quote(inner.render(captures: captures, masked: captures == nil || masked))
            }
        }
        return out
    }

    /// What the transport runs: each secret and each captured value (join tokens) replaced by a
    /// reference to a shell variable (`skp_secret_1`…), and the values in order. The values travel
    /// on the channel's stdin (remote, read by HangupGuard's prelude) or in the environment
    /// (local), so they are never in a command line that a process list shows.
    public func forTransport(captures: [String: String]) -> TransportCommand {
        var table: [Secret] = []
        var used = Set<Int>()
        let text = transportText(captures: captures, table: &table, used: &used)
        return TransportCommand(text: text, secrets: table)
    }

    /// The text the transport runs, its values joining `table` (shared by the steps of one
    /// batch, so each value is read once).
    func transportText(captures: [String: String], table: inout [Secret]) -> String {
        var used = Set<Int>()
        return transportText(captures: captures, table: &table, used: &used)
    }

    private func transportText(captures: [String: String], table: inout [Secret], used: inout Set<Int>) -> String {
        func variable(for value: Secret, _ quoting: Quoting) -> String {
            if !table.contains(value) { table.append(value) }
            let index = table.firstIndex(of: value)!
            used.insert(index)
            return quoting.reference(TransportCommand.variable(index))
        }
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .value(let text, let quoting): out += quoting.apply(text)
            case .captured(let name, let quoting):
                // A captured value travels as a secret: join tokens are.
                out += captures[name].map { variable(for: Secret($0), quoting) } ?? "{{\(name)}}"
            case .secret(let secret, let quoting): out += variable(for: secret, quoting)
            case .nested(let inner):
                // `sudo -n sh -c '…'` (always the last part): the inner shell is a new process, so
                // it reads the values it needs from a here-document on its stdin, never from argv.
                var innerUsed = Set<Int>()
                let innerText = inner.transportText(captures: captures, table: &table, used: &innerUsed)
                used.formUnion(innerUsed)
                guard !innerUsed.isEmpty else { out += ShellQuote.quote(innerText); continue }
                let values = innerUsed.sorted().map { ($0, table[$0]) }
                out += ShellQuote.quote(TransportCommand.reads(values) + "exec </dev/null\n" + innerText)
                out += " <<SKP_SECRETS_END\n"
                out += values.map { "${\(TransportCommand.variable($0.0))}\n" }.joined() + "SKP_SECRETS_END"
            case .become(let inner, let password, let host):
                // Like `.nested`, and the password is one more value, which only sudo reads.
                let passwordReference = variable(for: password, .hereDocument(expanding: true))
                var innerUsed = Set<Int>()
                let innerText = inner.transportText(captures: captures, table: &table, used: &innerUsed)
                used.formUnion(innerUsed)
                out += Become.transportText(innerText, password: passwordReference,
                                            values: innerUsed.sorted().map { ($0, table[$0]) }, host: host)
            }
        }
        return out
    }

    /// Secret values inside, so output that echoes them can be masked too.
    public var secrets: [Secret] {
        parts.flatMap { part -> [Secret] in
            switch part {
            case .secret(let s, _): [s]
            case .nested(let inner): inner.secrets
            case .become(let inner, let password, _): [password] + inner.secrets
            default: []
            }
        }
    }

    /// Names of captured values this command needs.
    public var capturedNames: [String] {
        parts.flatMap { part -> [String] in
            switch part {
            case .captured(let name, _): [name]
            case .nested(let inner), .become(let inner, _, _): inner.capturedNames
            default: []
            }
        }
    }
}

/// A command as the transport sends it: secrets are variables whose values go separately.
public struct TransportCommand: Sendable {
    public var text: String
    public var secrets: [Secret]

    public static func variable(_ index: Int) -> String { "skp_secret_\(index + 1)" }

    /// Shell lines that read each value from stdin into its variable. A value sent with line
    /// breaks arrives as several lines; they are read one by one and joined again, so a captured
    /// value of any shape reaches the command exactly (no fork, nothing in argv).
    public static func reads(_ values: [(index: Int, value: Secret)]) -> String {
        var out = ""
        for (index, value) in values {
            let name = variable(index)
            out += "IFS= read -r \(name)\n"
            for _ in 0..<value.revealed.utf8.reduce(0, { $0 + ($1 == 10 ? 1 : 0) }) {
                out += "IFS= read -r skp_line; \(name)=\"$\(name)\n$skp_line\"\n"
            }
        }
        return out
    }

    /// The bytes sent on stdin for `reads`: each value and a line break.
    public var stdin: [UInt8] { Array(secrets.map { $0.revealed + "\n" }.joined().utf8) }
}
