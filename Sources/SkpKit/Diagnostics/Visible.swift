extension String {
    /// The text as a terminal must show it to a person: every character that can hide or rewrite
    /// what is on the screen is written as an escape (`\x1b`, `\r`, `\u{202e}`): C0 controls, DEL,
    /// C1 controls, bidi overrides and isolates, line and paragraph separators. An ANSI "conceal"
    /// sequence or a carriage return in an inventory value cannot then hide `; curl … | sh` in a
    /// plan. `keepingLines` leaves line breaks and tabs (a command's here-document spans lines).
    public func visible(keepingLines: Bool = false) -> String {
        // Plain printable ASCII, the common case, is returned without a copy.
        if utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || (keepingLines && ($0 == 0x0A || $0 == 0x09)) }) { return self }
        var out = ""
        for scalar in unicodeScalars {
            if keepingLines && (scalar == "\n" || scalar == "\t") { out.unicodeScalars.append(scalar); continue }
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00..<0x20, 0x7F: out += "\\x" + Self.hex(scalar.value, width: 2)
            case 0x80...0x9F, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{" + Self.hex(scalar.value, width: 1) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }
}
