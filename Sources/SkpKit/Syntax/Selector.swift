/// Which hosts a step targets: `all`, `c01`, `role:manager`, `label:pgsql`, `label:k=v`,
/// `a, b` (union), `a & b` (intersection), `!a` (exclusion), `one(a)` (first host of a).
public indirect enum Selector: Sendable, CustomStringConvertible {
    case all
    /// The control machine itself.
    case local
    /// A host name, or the name of a `let` host set.
    case name(String, SourceLocation)
    case role(String, SourceLocation)
    case label(String, value: String?, SourceLocation)
    case union([Selector])
    case intersection([Selector])
    case exclusion(Selector)
    case one(Selector)
    /// `${v.hosts}`: hosts computed from a value (a host set, a host, a name or an address).
    case expression(Expr, text: String)

    public var description: String {
        switch self {
        case .all: "all"
        case .local: "local"
        case .name(let n, _): n
        case .role(let r, _): "role:\(r)"
        case .label(let k, let v, _): v.map { "label:\(k)=\($0)" } ?? "label:\(k)"
        case .union(let parts): parts.map(\.description).joined(separator: ",")
        case .intersection(let parts): parts.map { $0.isCompound ? "(\($0))" : $0.description }.joined(separator: "&")
        case .exclusion(let s): "!" + (s.isCompound ? "(\(s))" : s.description)
        case .one(let s): "one(\(s))"
        case .expression(_, let text): "${\(text)}"
        }
    }

    var isCompound: Bool {
        switch self {
        case .union, .intersection: true
        default: false
        }
    }

    public var isLocal: Bool { if case .local = self { true } else { false } }
}
