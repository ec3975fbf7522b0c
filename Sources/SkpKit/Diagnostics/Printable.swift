/// Text from outside skp (files, hosts, the command line) made safe to put on a terminal.
public enum Printable {
    /// Control characters and bidirectional overrides written as escapes (String.visible).
    public static func escaped(_ text: String) -> String { text.visible() }

    /// A value quoted in an error message: escaped, on one line, and cut after `limit` characters
    /// (a private key pasted as a flag value must not be printed whole). Secrets never come here.
    public static func excerpt(_ text: String, limit: Int = 60) -> String {
        if looksLikePrivateKey(text) || text.hasPrefix("-----BEGIN") { return "(a key, not shown)" }
        let short = text.count > limit ? String(text.prefix(limit)) + "… (\(text.utf8.count) bytes)" : text
        return escaped(short)
    }

    /// PEM and OpenSSH private keys, and PuTTY's .ppk files.
    public static func looksLikePrivateKey(_ text: String) -> Bool {
        text.contains("PRIVATE KEY") || text.contains("PuTTY-User-Key-File") || text.contains("Private-Lines:")
    }

    /// Any private key block (`-----BEGIN … PRIVATE KEY-----` to its END line, or to the end of
    /// the text) replaced by a note: errors print the values they are about, and a key pasted in
    /// the wrong place must not be printed back.
    public static func withoutKeys(_ text: String) -> String {
        guard text.contains("PRIVATE KEY") else { return text }
        var out = ""
        var rest = text[...]
        while let begin = rest.range(of: "-----BEGIN") {
            out += rest[..<begin.lowerBound]
            let after = rest[begin.upperBound...]
            if let end = after.range(of: "-----END"), let close = after[end.upperBound...].range(of: "-----") {
                rest = after[close.upperBound...]
            } else {
                rest = ""[...]
            }
            out += "(a private key, not shown)"
        }
        return out + rest
    }

    /// A JSON line with the string value of every secret-looking key (`SecretName`) as `***`.
    public static func maskingSecretFields(_ line: String) -> String {
        guard SecretName.words.contains(where: { line.lowercased().contains($0) }) else { return line }
        // `DB_PASSWORD=…` or `api_key: …` (an env or YAML file given where JSON was expected).
        if let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }), !line.contains("\""),
           SecretName.matches(String(line[..<separator])) {
            return String(line[...separator]) + "***"
        }
        var out = ""
        var strings: [String] = []  // the line's string literals so far, to find the key before a ':'
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            guard c == "\"" else { out.append(c); i = line.index(after: i); continue }
            // A string literal: find its end, honouring backslash escapes.
            var j = line.index(after: i)
            while j < line.endIndex, line[j] != "\"" { j = line.index(j, offsetBy: line[j] == "\\" && line.index(after: j) < line.endIndex ? 2 : 1) }
            let content = String(line[line.index(after: i)..<j])
            let isValue = out.reversed().drop { $0 == " " || $0 == "\t" }.first == ":"
            if isValue, let key = strings.last, SecretName.matches(key) { out += "\"***\"" } else { out += "\"" + content + (j < line.endIndex ? "\"" : "") }
            strings.append(content)
            i = j < line.endIndex ? line.index(after: j) : j
        }
        return out
    }
}
