/// A number of a stage's hosts, written as a count (`2`) or a share (`40%`): the batch size of
/// `serial N` / `--serial N`, and the threshold of `--max-fail N`.
public enum HostCount: Sendable, Equatable, CustomStringConvertible {
    case hosts(Int)
    case percent(Int)

    /// The bounds accepted from users: a count beyond any fleet skp runs (it also keeps the
    /// arithmetic far from overflow), a share of 1 to 100 %.
    public static let countRange = 1...100_000, percentRange = 1...100

    /// How many of `total` hosts this names: a share is rounded up and is at least 1 host, so
    /// `serial 40%` of 5 hosts is 2 and `1%` of 5 is 1.
    public func of(_ total: Int) -> Int {
        switch self {
        case .hosts(let n): n
        case .percent(let p): max(1, (p * total + 99) / 100)
        }
    }

    public var description: String {
        switch self {
        case .hosts(let n): String(n)
        case .percent(let p): "\(p)%"
        }
    }

    /// Reads `2` or `40%` (digits only: no sign, decimals or exponent); nil when it is not one
    /// or is out of range (the caller says where, and what is allowed).
    public static func parse(_ text: String) -> HostCount? {
        let percent = text.hasSuffix("%")
        let digits = percent ? String(text.dropLast()) : text
        guard !digits.isEmpty, digits.count <= 9, digits.utf8.allSatisfy({ (48...57).contains($0) }), let n = Int(digits) else { return nil }
        if percent { return percentRange.contains(n) ? .percent(n) : nil }
        return countRange.contains(n) ? .hosts(n) : nil
    }

    /// What a user may write, for error messages.
    public static let expected = "a number of hosts from 1 to 100000 (2) or a percentage from 1% to 100% (40%)"
}
