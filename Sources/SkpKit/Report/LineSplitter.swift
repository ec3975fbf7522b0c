/// A line of a command's output, as the views get it: decoded, masked, without its line end.
struct OutputLine {
    var task: String
    var host: String
    var stream: OutputStream
    var text: String
    /// One of the pieces of a line longer than `LineSplitter.maxLine`.
    var cut = false

    /// The text with a note when the line was cut.
    func shown(_ style: Style) -> String {
        cut ? text + style.dim(" …[line cut at \(LineSplitter.maxLine / 1024) KiB]") : text
    }
}

/// Turns each host's output bytes into lines: a line is kept until its newline arrives, and one
/// longer than 64 KiB is cut into pieces (a host flooding one line stays bounded). Every line is
/// masked with the run's mask before anyone sees it.
struct LineSplitter {
    /// The longest line kept whole.
    static let maxLine = 64 * 1024
    let mask: SharedMask
    private var partial: [String: [UInt8]] = [:]

    init(mask: SharedMask) { self.mask = mask }

    mutating func feed(task: String, host: String, stream: OutputStream, bytes: [UInt8], emit: (OutputLine) -> Void) {
        let key = host + "\u{0}" + stream.rawValue
        let buffer = partial[key, default: []] + bytes
        var start = buffer.startIndex
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            // A newline can arrive after more than one piece's worth of a long line: cut it here too.
            _ = pieces(task: task, host: host, stream: stream, bytes: buffer[start..<newline], whole: true, emit: emit)
            start = newline + 1
        }
        start = pieces(task: task, host: host, stream: stream, bytes: buffer[start...], whole: false, emit: emit)
        partial[key] = Array(buffer[start...])
    }

    /// The host's unfinished lines, as lines (its stage is over).
    mutating func flush(task: String, host: String, emit: (OutputLine) -> Void) {
        for stream in [OutputStream.stdout, .stderr] {
            let key = host + "\u{0}" + stream.rawValue
            if let rest = partial.removeValue(forKey: key), !rest.isEmpty { emit(line(task, host, stream, rest[...], cut: false)) }
        }
    }

    /// Emits `bytes` in pieces of at most `maxLine`, each cut piece marked. When `whole` the last
    /// piece ends the line; otherwise it is left for the next read. Returns where the rest starts.
    private func pieces(task: String, host: String, stream: OutputStream, bytes: ArraySlice<UInt8>, whole: Bool,
                        emit: (OutputLine) -> Void) -> Int {
        var start = bytes.startIndex
        while bytes.endIndex - start > Self.maxLine {
            emit(line(task, host, stream, bytes[start..<start + Self.maxLine], cut: true))
            start += Self.maxLine
        }
        if whole { emit(line(task, host, stream, bytes[start...], cut: false)) }
        return whole ? bytes.endIndex : start
    }

    private func line(_ task: String, _ host: String, _ stream: OutputStream, _ bytes: ArraySlice<UInt8>, cut: Bool) -> OutputLine {
        // Output is bytes: invalid UTF-8 becomes U+FFFD rather than an error.
        var text = mask.apply(String(decoding: bytes, as: UTF8.self))
        if text.hasSuffix("\r") { text.removeLast() }
        return OutputLine(task: task, host: host, stream: stream, text: text, cut: cut)
    }
}
