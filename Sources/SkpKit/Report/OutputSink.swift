import Foundation

/// The one place live output goes through, so lines from many hosts never interleave mid-line.
/// Streams `host | line` (aligned, coloured), or groups each host's output in one block (pssh -i),
/// or writes JSON events. Every line is masked: secrets and captured values never print.
public final class OutputSink: @unchecked Sendable {
    // @unchecked: all mutable state is touched under `lock`; the mask has its own.
    public enum Mode: Sendable { case stream, grouped, json }

    let style: Style
    let mode: Mode
    let width: Int
    let progressEnabled: Bool
    let lock = NSLock()
    /// The run's one masker (captured values join it as they are taken).
    let secrets: SharedMask
    var partial: [String: [UInt8]] = [:]
    var grouped: [String: [String]] = [:]
    var groupedBytes: [String: Int] = [:]
    var progressText: String?
    var board = StatusBoard()
    var drawnLines = 0
    var ticker: Thread?
    /// A terminal is attached to a host: the board must not draw over it.
    var boardPaused = false
    var hostOrder: [String: Int] = [:]
    /// The longest line kept whole; longer ones are cut (a host flooding one line stays bounded).
    static let maxLine = 64 * 1024
    /// Grouped mode keeps at most this much per host before it drops lines with a note.
    static let maxGrouped = 4 * 1024 * 1024

    public init(style: Style, mode: Mode, hostNames: [String], mask: SharedMask, progress: Bool) {
        self.style = style
        self.mode = mode
        self.width = max(5, hostNames.map(\.count).max() ?? 5)
        self.secrets = mask
        self.progressEnabled = progress && mode != .json
        for (i, name) in hostNames.enumerated() { hostOrder[name] = i }
    }

    public func mask(_ text: String) -> String { secrets.apply(text) }

    // MARK: output of commands

    public func output(task: String, host: String, stream: OutputStream, bytes: [UInt8]) {
        lock.lock(); defer { lock.unlock() }
        let key = host + "\u{0}" + stream.rawValue
        var buffer = partial[key, default: []] + bytes
        var start = buffer.startIndex
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            // A newline can arrive after more than one piece's worth of a long line: cut it here too.
            _ = emitPieces(task: task, host: host, stream: stream, bytes: buffer[start..<newline], whole: true)
            start = newline + 1
        }
        start = emitPieces(task: task, host: host, stream: stream, bytes: buffer[start...], whole: false)
        partial[key] = Array(buffer[start...])
    }

    /// Flushes a host's partial lines, and in grouped mode prints its block.
    public func finishHost(task: String, host: String, status: String) {
        lock.lock(); defer { lock.unlock() }
        for stream in [OutputStream.stdout, .stderr] {
            let key = host + "\u{0}" + stream.rawValue
            if let rest = partial[key], !rest.isEmpty { emitLine(task: task, host: host, stream: stream, bytes: rest[...]) }
            partial[key] = nil
        }
        if progressEnabled {
            clearProgress()
            board.set(host, .done(status))
            drawProgress()
        }
        guard mode == .grouped else { return }
        let lines = grouped.removeValue(forKey: host) ?? []
        groupedBytes[host] = nil
        let colour = ["failed", "timed out", "unreachable", "not started"].contains(status) ? style.red(status) : style.green(status)
        write(style.bold("[\(host)]") + " \(colour)\n" + lines.map { $0 + "\n" }.joined())
    }

    /// Emits `bytes` in pieces of at most `maxLine`, each cut piece with a note. When `whole` the
    /// last piece ends the line; otherwise it is left for the next read. Returns where the rest starts.
    func emitPieces(task: String, host: String, stream: OutputStream, bytes: ArraySlice<UInt8>, whole: Bool) -> Int {
        var start = bytes.startIndex
        while bytes.endIndex - start > Self.maxLine {
            emitLine(task: task, host: host, stream: stream, bytes: bytes[start..<start + Self.maxLine], cut: true)
            start += Self.maxLine
        }
        if whole { emitLine(task: task, host: host, stream: stream, bytes: bytes[start...]) }
        return whole ? bytes.endIndex : start
    }

    func emitLine(task: String, host: String, stream: OutputStream, bytes: ArraySlice<UInt8>, cut: Bool = false) {
        // Output is bytes: invalid UTF-8 becomes U+FFFD rather than an error.
        var text = mask(String(decoding: bytes, as: UTF8.self))
        if text.hasSuffix("\r") { text.removeLast() }
        if progressEnabled { board.note(host, line: text.visible()) }
        if cut { text += style.dim(" …[line cut at \(Self.maxLine / 1024) KiB]") }
        switch mode {
        case .json:
            var pairs = [("event", "\"output\""), ("task", JSONWriter.string(task)), ("host", JSONWriter.string(host)),
                         ("stream", JSONWriter.string(stream.rawValue)), ("line", JSONWriter.string(text))]
            // A line that is a JSON object (docker's --format '{{json .}}') is also given as one.
            if let object = Self.jsonObject(text) { pairs.append(("object", object)) }
            write(JSONWriter.object(pairs) + "\n")
        case .grouped:
            let used = groupedBytes[host, default: 0]
            if used > Self.maxGrouped { return }
            groupedBytes[host] = used + text.utf8.count
            grouped[host, default: []].append(used + text.utf8.count > Self.maxGrouped
                ? style.dim("…[output past \(Self.maxGrouped / 1024 / 1024) MiB dropped]") : (stream == .stderr ? style.yellow(text) : text))
        case .stream:
            write(prefix(host) + (stream == .stderr ? style.yellow(text) : text) + "\n")
        }
    }

    /// `text` when it is one valid JSON object, else nil (checked by jansson: nothing invalid is
    /// passed through into skp's own JSON).
    static func jsonObject(_ text: String) -> String? {
        guard text.utf8.first == UInt8(ascii: "{"), text.utf8.last == UInt8(ascii: "}"), text.utf8.count <= 65_536,
              let node = try? JSONDocument.load(path: "output", text: text), node.entries != nil else { return nil }
        return text
    }

    func prefix(_ host: String) -> String {
        style.host(host.padding(toLength: width, withPad: " ", startingAt: 0), index: hostOrder[host] ?? 0) + style.dim(" | ")
    }

    // MARK: skp's own lines

    public func taskStarted(_ task: PlannedTask) {
        lock.lock(); defer { lock.unlock() }
        if mode == .json {
            write(JSONWriter.object([("event", "\"task\""), ("task", JSONWriter.string(task.name)),
                                     ("reason", task.reason.map(JSONWriter.string) ?? "null")]) + "\n")
        } else {
            write(style.bold("==> \(task.name)") + (task.reason.map { style.dim("  (\($0.visible()))") } ?? "") + "\n")
        }
    }

    /// A line about a host from skp itself: an echo, a failure, an unreachable host.
    public func note(task: String, host: String, _ text: String, failure: Bool = false) {
        lock.lock(); defer { lock.unlock() }
        let masked = mask(text)
        switch mode {
        case .json:
            write(JSONWriter.object([("event", failure ? "\"error\"" : "\"message\""), ("task", JSONWriter.string(task)),
                                     ("host", JSONWriter.string(host)), ("message", JSONWriter.string(masked))]) + "\n")
        case .grouped:
            let shown = masked.visible(keepingLines: true)
            grouped[host, default: []].append(failure ? style.red(shown) : shown)
        case .stream:
            let shown = masked.visible(keepingLines: true)
            write(prefix(host) + (failure ? style.red(shown) : style.cyan(shown)) + "\n")
        }
    }

    public func stepEvent(task: String, host: String, step: String, status: String, exitCode: Int32?, duration: Double) {
        guard mode == .json else { return }
        lock.lock(); defer { lock.unlock() }
        write(JSONWriter.object([("event", "\"step\""), ("task", JSONWriter.string(task)), ("host", JSONWriter.string(host)),
                                 ("step", JSONWriter.string(mask(step))), ("status", JSONWriter.string(status)),
                                 ("exit_code", exitCode.map { String($0) } ?? "null"),
                                 ("duration_ms", String(Int(duration * 1000)))]) + "\n")
    }

    public func warning(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        StandardStream.err(style.yellow("warning: ") + text + "\n")
    }
}
