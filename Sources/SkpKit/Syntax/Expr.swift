/// An expression of the task language: values (`v.type`, `"nfs"`, `name`) and tests on them.
public indirect enum Expr: Sendable {
    case string(Template)
    case number(String, SourceLocation)
    /// A dotted name: `host.address`, `v.type`, `name`. Resolved at plan time.
    case path([String], SourceLocation)
    case call(String, [Expr], SourceLocation)
    case equals(Expr, Expr)
    case notEquals(Expr, Expr)
    /// `x in list` (membership) or `"pgsql" in host.labels` (enabled label).
    case contains(element: Expr, collection: Expr)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case not(Expr)

    public var location: SourceLocation {
        switch self {
        case .string(let t): t.location
        case .number(_, let l), .path(_, let l), .call(_, _, let l): l
        case .equals(let a, _), .notEquals(let a, _), .and(let a, _), .or(let a, _): a.location
        case .contains(let e, _): e.location
        case .not(let e): e.location
        }
    }
}
