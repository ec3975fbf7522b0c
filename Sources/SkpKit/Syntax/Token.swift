/// One lexical unit of a task file (or of a selector given on the command line).
public struct Token: Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case identifier      // swarm-init, docker.volume-create, v.type, c01
        case string          // "…" or """…""" (text holds the raw content, escapes undone later)
        case number          // 0600, 2
        case shortFlag       // -n (text holds "n")
        case punctuation     // { } ( ) , & ! | : = == != ?
        case interpolation   // ${expr} outside a string (a host set in a selector)
        case newline
        case end
    }

    public var kind: Kind
    public var text: String
    public var location: SourceLocation
    /// For strings, where the content starts (after the quotes), so interpolations can be placed.
    public var contentLocation: SourceLocation
    /// For strings: written with triple quotes (no escapes, indentation removed).
    public var isBlock: Bool = false

    public func isPunct(_ p: String) -> Bool { kind == .punctuation && text == p }
    public func isWord(_ w: String) -> Bool { kind == .identifier && text == w }

    /// Width of the token in the source, for the caret underline.
    public var width: Int {
        switch kind {
        case .string: text.count + (isBlock ? 6 : 2)
        case .shortFlag: text.count + 1
        case .newline, .end: 1
        default: text.count
        }
    }

    public var description: String {
        switch kind {
        case .string: "string \"\(text.prefix(30))\""
        case .newline: "end of line"
        case .end: "end of file"
        case .shortFlag: "flag -\(text)"
        case .number: "number \(text)"
        case .identifier: "'\(text)'"
        case .interpolation: "${\(text)}"
        case .punctuation: "'\(text)'"
        }
    }
}
