/// Finds where each value of an already-valid JSON text starts.
///
/// jansson reports positions only for syntax errors; inventory checks (an unknown volume type,
/// a host without address) need them for values too. jansson has validated the text before this
/// runs, so the scanner can stay small: it walks the structure once and records, per path, the
/// 0-based line, column and byte offset of the value (for object members, of the key).
struct JSONLocator {
    private var positions: [String: (line: Int, column: Int, offset: Int)] = [:]
    let path: String

    init(path: String, text: String) {
        self.path = path
        var scanner = Scanner(bytes: Array(text.utf8))
        scanner.scanValue(path: "", keyPosition: nil, into: &positions)
    }

    func location(of path: [String]) -> SourceLocation {
        let p = positions[Self.key(path)] ?? (0, 0, 0)
        return SourceLocation(file: self.path, line: p.line, column: p.column)
    }

    func keyLocation(of path: [String]) -> SourceLocation? {
        guard let p = positions[Self.key(path) + "#"] else { return nil }
        return SourceLocation(file: self.path, line: p.line, column: p.column)
    }

    func offset(of path: [String]) -> Int { positions[Self.key(path) + "#"]?.offset ?? .max }

    private static func key(_ path: [String]) -> String {
        path.map { "/" + $0 }.joined()
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0, line = 0, lineStart = 0
        /// The last column computed, and where: positions only move forward, so each is counted
        /// on from the one before, never from the line's start (a one-line file of 1 MB would
        /// otherwise be rescanned per value).
        private var counted = (index: 0, column: 0)

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func position() -> (line: Int, column: Int, offset: Int) {
            if counted.index < lineStart { counted = (lineStart, 0) }
            // Columns count characters, not bytes, as jansson and editors do.
            var column = counted.column
            for byte in bytes[counted.index..<index] where byte & 0xC0 != 0x80 { column += 1 }
            counted = (index, column)
            return (line, column, index)
        }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\n"): line += 1; index += 1; lineStart = index
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
                default: return
                }
            }
        }

        mutating func scanString() -> String {
            index += 1
            var out: [UInt8] = []
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                if bytes[index] == UInt8(ascii: "\\") { out.append(bytes[index]); index += 1 }
                if index < bytes.count { out.append(bytes[index]); index += 1 }
            }
            index += 1
            return decodeEscapes(out)
        }

        /// Object keys are matched against jansson's decoded keys, so decode the simple escapes.
        func decodeEscapes(_ raw: [UInt8]) -> String {
            guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
            var out = "", i = 0
            while i < raw.count {
                if raw[i] == UInt8(ascii: "\\"), i + 1 < raw.count {
                    let c = raw[i + 1]
                    switch c {
                    case UInt8(ascii: "n"): out += "\n"
                    case UInt8(ascii: "t"): out += "\t"
                    case UInt8(ascii: "r"): out += "\r"
                    case UInt8(ascii: "b"): out += "\u{8}"
                    case UInt8(ascii: "f"): out += "\u{C}"
                    case UInt8(ascii: "u") where i + 5 < raw.count:
                        let hex = String(decoding: raw[(i + 2)...(i + 5)], as: UTF8.self)
                        if let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) { out.unicodeScalars.append(s) }
                        i += 6; continue
                    default: out += String(decoding: [c], as: UTF8.self)
                    }
                    i += 2
                } else {
                    var j = i
                    while j < raw.count, raw[j] != UInt8(ascii: "\\") { j += 1 }
                    out += String(decoding: raw[i..<j], as: UTF8.self)
                    i = j
                }
            }
            return out
        }

        mutating func scanValue(path: String, keyPosition: (Int, Int, Int)?,
                                into positions: inout [String: (line: Int, column: Int, offset: Int)]) {
            skipSpace()
            guard index < bytes.count else { return }
            positions[path] = position()
            if let keyPosition { positions[path + "#"] = keyPosition }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                while true {
                    skipSpace()
                    guard index < bytes.count else { return }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    let keyAt = position()
                    let key = scanString()
                    skipSpace()
                    index += 1 // ':'
                    scanValue(path: path + "/" + key, keyPosition: keyAt, into: &positions)
                }
            case UInt8(ascii: "["):
                index += 1
                var n = 0
                while true {
                    skipSpace()
                    guard index < bytes.count else { return }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    scanValue(path: path + "/" + String(n), keyPosition: nil, into: &positions)
                    n += 1
                }
            case UInt8(ascii: "\""):
                _ = scanString()
            default:
                while index < bytes.count, !Self.isDelimiter(bytes[index]) { index += 1 }
            }
        }

        static func isDelimiter(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: " "),
                 UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): true
            default: false
            }
        }
    }
}
