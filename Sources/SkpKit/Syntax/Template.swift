/// A string of the task language with its `${…}` interpolations parsed.
///
/// `${expr}` inserts a value shell-quoted; `${raw expr}` inserts it as written (option lists).
/// `$VAR` and `$(…)` are left for the remote shell; `\${` writes a literal `${`.
public struct Template: Sendable {
    public enum Segment: Sendable {
        case text(String)
        case value(Expr, raw: Bool, location: SourceLocation)
    }

    public var segments: [Segment]
    public var location: SourceLocation

    public init(segments: [Segment], location: SourceLocation) {
        self.segments = segments
        self.location = location
    }

    public static func literal(_ text: String, at location: SourceLocation) -> Template {
        Template(segments: [.text(text)], location: location)
    }

    /// The text when it has no interpolation.
    public var literalText: String? {
        var out = ""
        for segment in segments {
            guard case .text(let t) = segment else { return nil }
            out += t
        }
        return out
    }
}
