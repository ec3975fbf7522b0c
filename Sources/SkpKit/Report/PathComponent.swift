/// Names from the inventory and the task files made into one safe path component: no `/`, no
/// control bytes, never `.`, `..` or empty, at most 200 bytes. A name that had to change gets a
/// short hash of the original, so two hosts never share a folder (`a/b` and `a_b`).
enum PathComponent {
    static func safe(_ name: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            let control = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            out.append(scalar == "/" || scalar == "\\" || control ? "_" : scalar)
        }
        var text = String(out)
        if text.isEmpty || text == "." || text == ".." { text = "_" + text }
        if text.utf8.count > 200 { text = String(decoding: text.utf8.prefix(200), as: UTF8.self) }
        return text == name ? text : text + "~" + String(ContentHash.of(name.utf8).prefix(8))
    }

    /// A short name for a step, from its (masked) description: `local$ echo hi >&2` is
    /// `local-echo-hi-2`. Letters, digits, `.`, `_` and `-` only, at most 40 of them.
    static func slug(_ description: String) -> String {
        var out = ""
        for character in description {
            if character.isASCII && (character.isLetter || character.isNumber || "._".contains(character)) {
                out.append(character)
            } else if !out.isEmpty && out.last != "-" {
                out.append("-")
            }
            if out.count >= 40 { break }
        }
        while out.last == "-" { out.removeLast() }
        return out.isEmpty ? "step" : out
    }
}
