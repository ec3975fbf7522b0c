import Glibc

/// Hides secret values and known token formats in text skp prints or records.
///
/// Long secrets are hidden wherever they appear. A short one (under `wholeWordBelow` characters)
/// only where it stands as a whole word: hiding every `x` of the output for a one-letter secret
/// would tell the reader exactly which letter it is. Docker's swarm join tokens (`SWMTKN-1-…`)
/// are hidden whatever captured them: `docker swarm init` prints one unasked.
public struct SecretMask: Sendable {
    /// The secrets' texts, longest first.
    private(set) var secrets: [String] = []
    static let wholeWordBelow = 8
    static let tokenPrefixes = ["SWMTKN-"]

    public init(_ secrets: [Secret] = []) {
        for secret in secrets { add(secret) }
    }

    public mutating func add(_ value: Secret) {
        let secret = value.revealed
        guard !secret.isEmpty, !secrets.contains(secret) else { return }
        secrets.append(secret)
        // Longest first: a secret that contains another is hidden whole.
        secrets.sort { $0.count > $1.count }
    }

    public func apply(_ text: String) -> String {
        var out = text
        for secret in secrets where Self.occurs(secret, in: out) {
            out = secret.count >= Self.wholeWordBelow ? out.replacingOccurrences(of: secret, with: "***")
                                                      : Self.replaceWholeWords(secret, in: out)
        }
        for prefix in Self.tokenPrefixes where Self.occurs(prefix, in: out) { out = Self.maskTokens(prefix, in: out) }
        return out
    }

    /// Whether `needle` occurs in `text`, byte for byte (over UTF-8): a whole plan is masked
    /// at once, and Foundation's `contains` costs a thousand hosts' plan about 20 ms per search.
    static func occurs(_ needle: String, in text: String) -> Bool {
        var text = text, needle = needle
        return text.withUTF8 { haystack in
            needle.withUTF8 { part in
                guard let first = part.first else { return true }
                guard haystack.count >= part.count, let base = haystack.baseAddress, let partBase = part.baseAddress else { return false }
                let last = haystack.count - part.count
                var start = 0
                while start <= last, let at = haystack[start...last].firstIndex(of: first) {
                    if memcmp(base + at, partBase, part.count) == 0 { return true }
                    start = at + 1
                }
                return false
            }
        }
    }

    /// `secret` replaced where neither neighbour is a letter or digit.
    static func replaceWholeWords(_ secret: String, in text: String) -> String {
        var out = ""
        var rest = text[...]
        while let range = rest.range(of: secret) {
            let before = range.lowerBound > rest.startIndex ? rest[rest.index(before: range.lowerBound)] : nil
            let after = range.upperBound < rest.endIndex ? rest[range.upperBound] : nil
            let whole = !(before.map(isWordCharacter) ?? false) && !(after.map(isWordCharacter) ?? false)
            out += rest[..<range.lowerBound]
            out += whole ? "***" : String(rest[range])
            rest = rest[range.upperBound...]
        }
        return out + rest
    }

    /// `SWMTKN-1-abc…-def…` → `SWMTKN-***`: the prefix stays so the reader knows what was hidden.
    static func maskTokens(_ prefix: String, in text: String) -> String {
        var out = ""
        var rest = text[...]
        while let range = rest.range(of: prefix) {
            out += rest[..<range.upperBound]
            var end = range.upperBound
            while end < rest.endIndex, rest[end].isASCII, rest[end].isLetter || rest[end].isNumber || rest[end] == "-" {
                end = rest.index(after: end)
            }
            if end > range.upperBound { out += "***" }
            rest = rest[end...]
        }
        return out + rest
    }

    private static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber }
}
