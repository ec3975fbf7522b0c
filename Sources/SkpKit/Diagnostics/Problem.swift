/// What is wrong, as a value: a caller (or a test) asks which kind of mistake it was and with
/// which names, instead of reading a sentence. `description` is the one place each kind is put
/// into words; `Diagnostic` adds where (file:line:col and the quoted line) and how to fix it.
public enum Problem: Sendable, Equatable {
    /// A name that names nothing: `no task named x`, `unknown flag --x for t`.
    case unknown(NameKind, name: String, within: String? = nil)
    /// Declared twice in task files: the second one, and where the first is.
    case definedTwice(what: String, name: String, first: SourceLocation)
    /// Given twice where once is the rule (`-c` and `--`, a flag, a variable).
    case givenTwice(what: String, for: String? = nil)
    /// A number outside what is accepted, as written (`--forks 0`, `retry 200`); `unit` says
    /// what is wanted ("a whole number", "seconds").
    case outOfRange(what: String, given: String, low: String, high: String, unit: String)
    /// A word outside the accepted few (`--color sometimes`).
    case notOneOf(what: String, given: String?, accepted: String)
    /// The parser wanted one thing and met another.
    case expected(String, found: String)
    /// A value of the wrong shape for its place (a list where one word goes).
    case wrongType(what: String, expected: String, found: String)
    /// Not parseable as JSON (the parser's own words).
    case invalidJSON(String)
    case invalidUTF8(byte: Int)
    /// Anything else, said in a sentence.
    case other(String)

    /// What kind of name `unknown` is about.
    public enum NameKind: String, Sendable {
        case task, check, host, role, flag, value, function, step, selectorKind, escape
    }

    public var description: String {
        switch self {
        case .unknown(let kind, let name, let within):
            let place = within.map { " \($0)" } ?? ""
            switch kind {
            case .task, .check: return "no \(kind.rawValue) named \(name)\(place)"
            case .host: return "no host named \(name)\(place)"
            case .role: return "no host has role \(name)"
            case .flag: return "unknown flag \(name)\(place)"
            case .value, .function: return "unknown \(kind.rawValue) \(name)"
            case .step: return "unknown step '\(name)'"
            case .selectorKind: return "unknown selector kind '\(name):'"
            case .escape: return "unknown escape '\\\(name)'"
            }
        case .definedTwice(let what, let name, let first):
            return "\(what) \(name) is defined twice (first at \(first))"
        case .givenTwice(let what, let owner):
            return "\(what) is given twice" + (owner.map { " for \($0)" } ?? "")
        case .outOfRange(let what, let given, let low, let high, let unit):
            return "\(what) takes \(unit) from \(low) to \(high), not '\(given)'"
        case .notOneOf(let what, let given, let accepted):
            return "\(what) takes \(accepted)" + (given.map { ", not '\($0)'" } ?? "")
        case .expected(let expected, let found):
            return "expected \(expected), found \(found)"
        case .wrongType(let what, let expected, let found):
            return "\(what) must be \(expected), found \(found)"
        case .invalidJSON(let detail):
            return "invalid JSON: \(detail)"
        case .invalidUTF8(let byte):
            return "invalid UTF-8 at byte \(byte)"
        case .other(let text):
            return text
        }
    }
}
