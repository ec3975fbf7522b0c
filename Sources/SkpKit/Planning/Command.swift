/// A command (or file content) built from parts, so it can be shown with secrets masked and
/// captured values as placeholders, while only the transport sees the real text.
public struct Command: Sendable, CustomStringConvertible {
    public enum Part: Sendable {
        /// Text the task author wrote.
        case literal(String)
        /// An interpolated value, escaped for where it stands in the shell text.
        case value(String, quoting: Quoting)
        /// A credential: shown as ***.
        case secret(String, quoting: Quoting)
        /// A value captured on another host earlier in the run: known only when it runs.
        case captured(String, quoting: Quoting)
        /// A whole command passed as one quoted word (`sudo -n sh -c '…'`).
        case nested(Command)
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
            case .secret(let text, let quoting):
                if masked || captures == nil { out += "***" } else { out += quoting.apply(text) }
            case .captured(let name, let quoting):
                if let value = captures?[name], !masked { out += quoting.apply(value) }
                else { out += "{{\(name)}}" }
            case .nested(let inner):
                if captures == nil || masked {
                    out += ShellQuote.quote(inner.render(captures: captures, masked: true))
                } else {
                    out += ShellQuote.quote(inner.render(captures: captures))
                }
            }
        }
        return out
    }

    /// Secret values inside, so output that echoes them can be masked too.
    public var secrets: [String] {
        parts.flatMap { part -> [String] in
            switch part {
            case .secret(let s, _): [s]
            case .nested(let inner): inner.secrets
            default: []
            }
        }
    }

    /// Names of captured values this command needs.
    public var capturedNames: [String] {
        parts.flatMap { part -> [String] in
            switch part {
            case .captured(let name, _): [name]
            case .nested(let inner): inner.capturedNames
            default: []
            }
        }
    }
}
