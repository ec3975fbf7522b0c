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
        /// run ended during the step; "done earlier" when a resumed run skipped it.
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
    /// nil when the run never wrote its end: killed, or still running.
    public var exitCode: Int?
    public var durationMs: Int?
    public var interrupted = false
    public var steps: [Step] = []

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
    /// Every run, newest first.
    public static func list(folder: String) -> [RunRecord] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return files.filter { $0.hasSuffix(".jsonl") }.sorted(by: >).compactMap { try? load(path: "\(folder)/\($0)") }
    }

    /// A run by id (or unique id prefix); `nil` means the newest.
    public static func find(_ id: String?, folder: String) throws -> RunRecord {
        let runs = list(folder: folder)
        guard let id else {
            guard let newest = runs.first else {
                throw Diagnostic("no run has been recorded in \(folder) yet", hint: "runs are recorded from the first real (not --dry-run) run on")
            }
            return newest
        }
        let matches = runs.filter { $0.id.hasPrefix(id) }
        guard matches.count == 1 else {
            let hint = Suggest.closest(to: id, in: runs.map(\.id)).map { "did you mean \($0)?" } ?? "skp runs lists them"
            throw Diagnostic(matches.isEmpty ? "no run \(id) in \(folder)" : "\(id) names \(matches.count) runs", hint: hint)
        }
        return matches[0]
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
                let arguments: [String]
                if case .array(let items)? = node["arguments"]?.value { arguments = items.compactMap(\.string) } else { arguments = [] }
                record = RunRecord(id: text("id") ?? "", started: text("started") ?? "", command: text("command") ?? "",
                                   arguments: arguments, inventory: text("inventory") ?? "", resumeOf: text("resume_of"))
            case "start", "done-earlier":
                guard let key = text("key") else { continue }
                if steps[key] == nil { order.append(key) }
                steps[key] = RunRecord.Step(key: key, task: text("task") ?? "", host: text("host") ?? "",
                                            index: (number("step") ?? 1) - 1, count: number("of") ?? 1,
                                            command: text("command") ?? "", status: text("event") == "start" ? "started" : "done earlier",
                                            doneIn: text("run"))
            case "finish":
                guard let key = text("key"), var step = steps[key] else { continue }
                step.status = text("status") ?? "failed"
                step.exitCode = number("exit_code")
                step.durationMs = number("duration_ms")
                step.message = text("message")
                steps[key] = step
            case "end":
                record?.exitCode = number("exit_code")
                record?.durationMs = number("duration_ms")
                record?.interrupted = text("interrupted") == "true"
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
