/// The ASCII bytes the scanner looks for.
enum Byte {
    static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), newline = UInt8(ascii: "\n")
    static let backslash = UInt8(ascii: "\\"), singleQuote = UInt8(ascii: "'"), doubleQuote = UInt8(ascii: "\"")
    static let backquote = UInt8(ascii: "`"), dollar = UInt8(ascii: "$"), hash = UInt8(ascii: "#"), dash = UInt8(ascii: "-")
    static let openParen = UInt8(ascii: "("), closeParen = UInt8(ascii: ")"), less = UInt8(ascii: "<"), greater = UInt8(ascii: ">")
    static let semicolon = UInt8(ascii: ";"), ampersand = UInt8(ascii: "&"), pipe = UInt8(ascii: "|")
    static let slash = UInt8(ascii: "/"), equals = UInt8(ascii: "=")
    /// if, do, then, else, elif, time; and the last four letters of while and until.
    static let reservedWords: Set<UInt32> = [0x6966, 0x646F, 0x7468_656E, 0x656C_7365, 0x656C_6966, 0x7469_6D65]
    static let hileWord = UInt32(0x6869_6C65), ntilWord = UInt32(0x6E74_696C), sshWord = UInt32(0x73_7368)

    /// `;`, `&`, `|`, a line break and parentheses end a simple command.
    static func endsCommand(_ c: UInt8) -> Bool {
        c == semicolon || c == ampersand || c == pipe || c == newline || c == openParen || c == closeParen
    }
    static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}"), openBracket = UInt8(ascii: "[")
    /// `case` and `esac` packed as ShellScanner packs a word.
    static let caseWord = UInt32(0x6361_7365), esacWord = UInt32(0x6573_6163), evalWord = UInt32(0x6576_616C)
    /// sh, bash, dash, zsh, ksh, ash and su, packed the same way: their `-c` takes shell code.
    static let shellNames: Set<UInt32> = [0x7368, 0x6261_7368, 0x6461_7368, 0x7A_7368, 0x6B_7368, 0x61_7368, 0x7375]

    /// Blanks and the operators that end a shell word.
    static func endsWord(_ c: UInt8) -> Bool {
        switch c {
        case space, tab, newline, UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "&"), less, greater, openParen, closeParen: true
        default: false
        }
    }

    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") }

    /// Whether `c` is part of a variable name after `$` (`first`) or after its first letters.
    static func continuesName(_ c: UInt8, first: Bool) -> Bool {
        isLetter(c) || c == UInt8(ascii: "_") || (!first && c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }
}
