import Foundation

/// One JSON object per line: tasks, output lines, skp's messages and errors, steps. With merged
/// blocks (`-o merged`), output and messages are left to the merged view's events.
final class JSONView: LiveView {
    let screen: Screen
    let style: Style
    /// False under `-o merged`: lines go into merged blocks instead.
    let linesToo: Bool
    let mask: SharedMask

    init(screen: Screen, style: Style, mask: SharedMask, linesToo: Bool) {
        self.screen = screen
        self.style = style
        self.mask = mask
        self.linesToo = linesToo
    }

    func line(_ line: OutputLine) {
        guard linesToo else { return }
        let text = line.shown(style)
        var pairs = [("event", "\"output\""), ("task", JSONWriter.string(line.task)), ("host", JSONWriter.string(line.host)),
                     ("stream", JSONWriter.string(line.stream.rawValue)), ("line", JSONWriter.string(text))]
        // A line that is a JSON object (docker's --format '{{json .}}') is also given as one.
        if let object = Self.jsonObject(text) { pairs.append(("object", object)) }
        screen.write(JSONWriter.object(pairs) + "\n")
    }

    func note(_ note: HostNote) {
        guard linesToo else { return }
        screen.write(JSONWriter.object([("event", note.failure ? "\"error\"" : "\"message\""), ("task", JSONWriter.string(note.task)),
                                        ("host", JSONWriter.string(note.host)), ("message", JSONWriter.string(note.text))]) + "\n")
    }

    func observe(_ event: RunEvent) {
        switch event {
        case .taskStarted(let task):
            screen.write(JSONWriter.object([("event", "\"task\""), ("task", JSONWriter.string(task.name)),
                                            ("reason", task.reason.map(JSONWriter.string) ?? "null")]) + "\n")
        case .stepFinished(let key, let description, let result, let duration):
            screen.write(JSONWriter.object([("event", "\"step\""), ("task", JSONWriter.string(key.task)), ("host", JSONWriter.string(key.host)),
                                            ("step", JSONWriter.string(mask.apply(description))), ("status", JSONWriter.string(result.status)),
                                            ("exit_code", result.exitCode.map { String($0) } ?? "null"),
                                            ("duration_ms", String(Int(duration * 1000)))]) + "\n")
        default: break
        }
    }

    /// `text` when it is one valid JSON object, else nil (checked by jansson: nothing invalid is
    /// passed through into skp's own JSON).
    static func jsonObject(_ text: String) -> String? {
        guard text.utf8.first == UInt8(ascii: "{"), text.utf8.last == UInt8(ascii: "}"), text.utf8.count <= 65_536,
              let node = try? JSONDocument.load(path: "output", text: text), node.entries != nil else { return nil }
        return text
    }
}
