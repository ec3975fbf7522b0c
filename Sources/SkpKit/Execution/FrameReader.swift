import Foundation

/// Splits one stream of a batch (stdout or stderr) into the steps' own bytes and the frame
/// lines between them (`StepBatch`). Bytes pass through as they come, except a tail that could
/// be the start of a marker, held until the next bytes tell; memory stays bounded whatever a
/// command prints (a marker line is short: anything longer is output).
struct FrameReader {
    enum Piece: Equatable {
        case output([UInt8])
        case start(Int)
        /// The step's status on stdout (`0`, `u` for unchanged, an exit code); none on stderr.
        case end(Int, String?)
        /// The batch ended: nothing more of it comes on this stream.
        case done
        /// An upload of the batch will be written over SFTP (`StepBatch`).
        case filesAhead
    }

    let prefix: [UInt8]
    private var pending: [UInt8] = []
    /// Set while the bytes after a marker prefix are read up to its line break.
    private var inMarker = false
    /// Set when a line break that could have begun a marker went out as output (`idle`): a
    /// marker may then come without it.
    private var releasedBreak = false
    /// When the held tail (a line break, perhaps with the start of a marker) was last fed.
    private var heldSince: UInt64 = 0
    static let longestMarker = 64
    /// How long a held line break waits for the rest of a marker before it goes out as output.
    /// bash writes a frame's leading line break on its own (the first `printf` of a process to
    /// line-buffered stdout), the rest a moment later; both cross the network together.
    static let breakHold: UInt64 = 20_000_000

    init(prefix: [UInt8]) { self.prefix = prefix }

    /// The stream has had nothing new since the last call. A line break held because a marker
    /// could follow it goes out once it has waited `breakHold`, so a step's last line shows while
    /// it runs quiet (`echo ready; sleep 60`). Should a marker still come without it, it is
    /// taken as one all the same: boundaries never depend on this timing, only a blank line.
    mutating func idle(now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> [Piece] {
        guard !inMarker, pending.first == 10, now >= heldSince + Self.breakHold else { return [] }
        pending.removeFirst()
        releasedBreak = true
        return [.output([10])]
    }

    mutating func feed(_ bytes: [UInt8]) -> [Piece] {
        pending += bytes
        heldSince = DispatchTime.now().uptimeNanoseconds
        var pieces: [Piece] = []
        while true {
            if releasedBreak, !inMarker, !pending.isEmpty {
                let body = prefix.dropFirst()
                if pending.starts(with: body) {
                    pending.removeFirst(body.count)
                    releasedBreak = false
                    inMarker = true
                    continue
                }
                if pending.count < body.count, body.starts(with: pending) { return pieces }
                releasedBreak = false
            }
            if inMarker {
                guard let newline = pending.firstIndex(of: 10) else {
                    if pending.count > Self.longestMarker { pieces.append(.output(prefix + pending)); pending = []; inMarker = false }
                    return pieces
                }
                let line = Array(pending[..<newline])
                pending.removeFirst(newline + 1)
                inMarker = false
                if let piece = Self.parse(line) { pieces.append(piece) } else { pieces.append(.output(prefix + line + [10])) }
                continue
            }
            if let at = Self.find(prefix, in: pending) {
                if at > 0 { pieces.append(.output(Array(pending[..<at]))) }
                pending.removeFirst(at + prefix.count)
                inMarker = true
                continue
            }
            // No marker yet: all but a tail that may begin one goes out now.
            let keep = Self.overlap(of: pending, with: prefix)
            if pending.count > keep {
                pieces.append(.output(Array(pending[..<(pending.count - keep)])))
                pending.removeFirst(pending.count - keep)
            }
            return pieces
        }
    }

    /// What is left when the stream ends: output (a marker cut short is output too).
    mutating func finish() -> [Piece] {
        defer { pending = []; inMarker = false; releasedBreak = false }
        let rest = inMarker ? prefix + pending : pending
        return rest.isEmpty ? [] : [.output(rest)]
    }

    /// `S 3`, `E 3 0`, `E 3 u`, `E 3`, `Z`, `P`.
    static func parse(_ line: [UInt8]) -> Piece? {
        if line == [90] { return .done }
        if line == [80] { return .filesAhead }
        let words = String(decoding: line, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard words.count >= 2, let index = Int(words[1]), index >= 0 else { return nil }
        switch (words[0], words.count) {
        case ("S", 2): return .start(index)
        case ("E", 2): return .end(index, nil)
        case ("E", 3): return .end(index, String(words[2]))
        default: return nil
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var start = 0
        while start <= haystack.count - needle.count, let at = haystack[start...(haystack.count - needle.count)].firstIndex(of: first) {
            if haystack[at..<(at + needle.count)].elementsEqual(needle) { return at }
            start = at + 1
        }
        return nil
    }

    /// The longest end of `bytes` that is a beginning of `prefix`.
    static func overlap(of bytes: [UInt8], with prefix: [UInt8]) -> Int {
        var length = min(bytes.count, prefix.count - 1)
        while length > 0 {
            if bytes[(bytes.count - length)...].elementsEqual(prefix[..<length]) { return length }
            length -= 1
        }
        return 0
    }
}
