import Foundation

/// One run as its journal tells it, even a journal cut off by a crash (no `end` line).
public struct RunRecord: Sendable {
    public struct Step: Sendable {
        public var key: String
        public var task: String
        public var host: String
        public var index: Int
        public var count: Int
        public var command: String
        /// ok, changed, unchanged, failed, timed out, unreachable, cancelled; "started" when the
        /// run ended during the step; "done earlier" when a resumed run skipped it; "not started"
        /// when --max-fail stopped the run before its host's turn.
        public var status: String
        public var exitCode: Int?
        public var durationMs: Int?
        public var message: String?
        /// The run that finished this step, when this one skipped it.
        public var doneIn: String?

        public var isDone: Bool { ["ok", "changed", "unchanged", "done earlier"].contains(status) }
    }

    public var id: String
    public var started: String
    public var command: String
    public var arguments: [String]
    public var inventory: String
    public var resumeOf: String?
    /// The inventory files the run used (empty in journals older than this field).
    public var inventories: [InventoryFingerprint] = []
    /// A secret stood inside a recorded argument, which was masked: the line cannot be rerun.
    public var argumentsMasked = false
    /// nil when the run never wrote its end: killed, or still running.
    public var exitCode: Int?
    public var durationMs: Int?
    public var interrupted = false
    public var steps: [Step] = []
    /// The journal file.
    public var path = ""
    /// From the `end` line when only the header and the end were read (`RunHistory.list`); then
    /// `steps` is empty.
    public var summary: (hosts: Int, hostsNotDone: Int)?

    /// How many hosts the run had, and how many did not finish every step.
    public var hostCount: Int { summary?.hosts ?? hosts.count }
    public var hostsNotDoneCount: Int { summary?.hostsNotDone ?? hostsFailed.count }

    /// Step keys this run (or the runs it resumed) finished, with the run that did.
    public var done: [String: String] {
        var out: [String: String] = [:]
        for step in steps where step.isDone { out[step.key] = step.doneIn ?? id }
        return out
    }

    public var hostsFailed: Set<String> { Set(steps.filter { !$0.isDone }.map(\.host)) }
    public var hosts: Set<String> { Set(steps.map(\.host)) }
}

/// Reads the journals in a state folder.
public enum RunHistory {
    /// The ids of the journals in `folder`, newest first (an id starts with its start time).
    public static func ids(folder: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return files.filter { $0.hasSuffix(".jsonl") }.map { String($0.dropLast(6)) }.sorted(by: >)
    }

    /// Every run, newest first, as its header and `end` line tell it: the steps are not read
    /// (a journal cut off before its end is read whole, to count its hosts).
    public static func list(folder: String) -> [RunRecord] {
        ids(folder: folder).compactMap { try? summary(path: "\(folder)/\($0).jsonl") }
    }

    /// A run by id (or unique id prefix), read whole; `nil` means the newest.
    public static func find(_ id: String?, folder: String) throws -> RunRecord {
        let ids = ids(folder: folder)
        guard let id else {
            for candidate in ids { if let run = try? load(path: "\(folder)/\(candidate).jsonl") { return run } }
            throw Diagnostic("no run has been recorded in \(folder) yet", hint: "runs are recorded from the first real (not --dry-run) run on")
        }
        let matches = ids.filter { $0.hasPrefix(id) }
        guard matches.count == 1 else {
            let hint = Suggest.closest(to: id, in: ids).map { "did you mean \($0)?" } ?? "skp runs lists them"
            throw Diagnostic(matches.isEmpty ? "no run \(id) in \(folder)" : "\(id) names \(matches.count) runs", hint: hint)
        }
        return try load(path: "\(folder)/\(matches[0]).jsonl")
    }

    /// The header and the `end` line of a journal, without its steps.
    public static func summary(path: String) throws -> RunRecord {
        guard let (first, last) = edgeLines(path: path), let header = try? JSONDocument.load(path: path, text: first),
              header["event"]?.string == "run" else { throw Diagnostic("\(path) is not an skp run journal") }
        guard let end = try? JSONDocument.load(path: path, text: last), end["event"]?.string == "end",
              let hosts = end["hosts"]?.string.flatMap({ Int($0) }),
              let notDone = end["hosts_not_done"]?.string.flatMap({ Int($0) }) else {
            return try load(path: path) // cut off, or written before the end line counted hosts
        }
        var record = RunRecord(header, path: path)
        apply(end: end, to: &record)
        record.summary = (hosts, notDone)
        return record
    }

    /// The first and the last line of a file, reading at most 1 MiB from each end.
    static func edgeLines(path: String) -> (String, String)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        func bytes(at offset: Int, count: Int) -> [UInt8] {
            var buffer = [UInt8](repeating: 0, count: count)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return n > 0 ? Array(buffer[..<n]) : []
        }
        let size = Int(info.st_size), window = min(size, 1_048_576)
        let head = bytes(at: 0, count: window)
        guard let newline = head.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let tail = bytes(at: size - window, count: window).split(separator: UInt8(ascii: "\n")).last ?? []
        return (String(decoding: head[..<newline], as: UTF8.self), String(decoding: tail, as: UTF8.self))
    }

    private static func apply(end node: JSONNode, to record: inout RunRecord) {
        record.exitCode = node["exit_code"]?.string.flatMap { Int($0) }
        record.durationMs = node["duration_ms"]?.string.flatMap { Int($0) }
        record.interrupted = node["interrupted"]?.string == "true"
    }

    public static func load(path: String) throws -> RunRecord {
        guard let data = FileManager.default.contents(atPath: path) else { throw Diagnostic("cannot read \(path)") }
        var record: RunRecord?
        var order: [String] = []
        var steps: [String: RunRecord.Step] = [:]
        // A line cut off by a crash does not parse; everything before it still counts.
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let node = try? JSONDocument.load(path: path, text: String(line)), node.entries != nil else { continue }
            let text = { (key: String) in node[key]?.string }
            let number = { (key: String) in node[key]?.string.flatMap { Int($0) } }
            switch text("event") {
            case "run":
                record = RunRecord(node, path: path)
            case "start", "done-earlier", "not-started":
                guard let key = text("key") else { continue }
                if steps[key] == nil { order.append(key) }
                let status = ["start": "started", "done-earlier": "done earlier"][text("event") ?? ""] ?? "not started"
                steps[key] = RunRecord.Step(key: key, task: text("task") ?? "", host: text("host") ?? "",
                                            index: (number("step") ?? 1) - 1, count: number("of") ?? 1,
                                            command: text("command") ?? "", status: status,
                                            doneIn: text("run"))
            case "finish":
                guard let key = text("key"), var step = steps[key] else { continue }
                step.status = text("status") ?? "failed"
                step.exitCode = number("exit_code")
                step.durationMs = number("duration_ms")
                step.message = text("message")
                steps[key] = step
            case "end":
                if record != nil { apply(end: node, to: &record!) }
            default:
                continue
            }
        }
        guard var result = record else { throw Diagnostic("\(path) is not an skp run journal") }
        // Journal order is completion order; show tasks in plan order, then hosts, then steps.
        func taskIndex(_ step: RunRecord.Step) -> Int { Int(step.key.prefix { $0 != ":" }) ?? 0 }
        result.steps = order.compactMap { steps[$0] }.sorted {
            (taskIndex($0), $0.host, $0.index) < (taskIndex($1), $1.host, $1.index)
        }
        return result
    }
}

extension RunRecord {
    /// A run as its journal's header line tells it.
    init(_ header: JSONNode, path: String) {
        let text = { (key: String) in header[key]?.string }
        let arguments: [String]
        if case .array(let items)? = header["arguments"]?.value { arguments = items.compactMap(\.string) } else { arguments = [] }
        self.init(id: text("id") ?? "", started: text("started") ?? "", command: text("command") ?? "",
                  arguments: arguments, inventory: text("inventory") ?? "", resumeOf: text("resume_of"))
        self.path = path
        argumentsMasked = text("arguments_masked") == "true"
        if case .array(let items)? = header["inventories"]?.value {
            inventories = items.compactMap { item in
                guard let kind = item["kind"]?.string, let path = item["path"]?.string, let hash = item["hash"]?.string else { return nil }
                return InventoryFingerprint(kind: kind, path: path, hash: hash)
            }
        }
    }
}
