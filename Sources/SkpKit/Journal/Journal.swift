import Foundation

/// The durable record of one run: one JSON object per line in `<state>/runs/<id>.jsonl`.
///
/// Each line is written with a single write(2) on an O_APPEND descriptor the moment it happens,
/// so a crash, Ctrl-C or SIGKILL leaves every line before it intact (the kernel has it; fsync at
/// the end of each stage and of the run also covers a power loss up to that point). A step is
/// "done" only when its `finish` line is there: a step that started and has no finish line was
/// cut off and runs again on `--resume`.
///
/// Everything written is masked: commands as the plan prints them, secret arguments left out
/// (a resume asks for them again), no command output at all.
public final class Journal: @unchecked Sendable {
    // @unchecked: lines go out with one write(2) each under `lock`, which also guards `stepHosts`.
    public let id: String
    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    /// Per step key, its host and whether it is done: the `end` line counts hosts from it, so
    /// `skp runs` reads only a journal's first and last lines.
    private var stepHosts: [String: (host: String, done: Bool)] = [:]

    /// `$SKP_STATE/runs`, or `.skp/runs` in the current folder (beside the lab's inventories).
    public static func folder(_ environment: SkpEnvironment) -> String {
        (environment["SKP_STATE"] ?? ".skp") + "/runs"
    }

    /// `arguments` is the command line without secret values; `argumentsMasked` says a secret
    /// stood inside another argument, so the recorded line cannot be rerun as it was.
    public init(folder: String, command: String, arguments: [String], argumentsMasked: Bool = false, inventory: String,
                inventories: [InventoryFingerprint] = [], resumeOf: String?) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let stamp = Self.idFormatter.string(from: Date())
        id = "\(stamp)-\(String(getpid(), radix: 16))"
        path = "\(folder)/\(id).jsonl"
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Diagnostic("cannot write the run journal \(path): \(String(cString: strerror(errno)))") }
        write([("event", JSONWriter.string("run")), ("id", JSONWriter.string(id)),
               ("started", JSONWriter.string(Self.now())), ("command", JSONWriter.string(command)),
               ("arguments", JSONWriter.array(arguments.map(JSONWriter.string))),
               ("arguments_masked", argumentsMasked ? "true" : "false"),
               ("inventories", JSONWriter.array(inventories.map(\.json))),
               ("inventory", JSONWriter.string(inventory)), ("cwd", JSONWriter.string(FileManager.default.currentDirectoryPath)),
               ("pid", String(getpid())), ("resume_of", resumeOf.map(JSONWriter.string) ?? "null")])
        sync()
    }

    deinit { close(fd) }

    public func stepStarted(_ step: StepKey, description: String) {
        note(step, done: false)
        write([("event", JSONWriter.string("start")), ("key", JSONWriter.string(step.key)), ("task", JSONWriter.string(step.task)),
               ("host", JSONWriter.string(step.host)), ("step", String(step.index + 1)), ("of", String(step.count)),
               ("command", JSONWriter.string(description)), ("at", JSONWriter.string(Self.now()))])
    }

    public func stepFinished(_ step: StepKey, status: String, exitCode: Int32?, duration: Double, message: String?) {
        note(step, done: ["ok", "changed", "unchanged"].contains(status))
        write([("event", JSONWriter.string("finish")), ("key", JSONWriter.string(step.key)), ("host", JSONWriter.string(step.host)),
               ("status", JSONWriter.string(status)), ("exit_code", exitCode.map { String($0) } ?? "null"),
               ("duration_ms", String(Int(duration * 1000))), ("message", message.map(JSONWriter.string) ?? "null"),
               ("at", JSONWriter.string(Self.now()))])
    }

    /// A failed attempt of a step that is tried again: the step's finish line comes after the last.
    public func stepRetried(_ step: StepKey, attempt: Int, of attempts: Int, message: String) {
        write([("event", JSONWriter.string("retry")), ("key", JSONWriter.string(step.key)), ("host", JSONWriter.string(step.host)),
               ("attempt", String(attempt)), ("of", String(attempts)), ("message", JSONWriter.string(message)),
               ("at", JSONWriter.string(Self.now()))])
    }

    /// A step not run because an earlier run finished it; kept so a resume of this run knows.
    public func stepSkipped(_ step: StepKey, description: String, doneIn run: String) {
        note(step, done: true)
        write([("event", JSONWriter.string("done-earlier")), ("key", JSONWriter.string(step.key)),
               ("task", JSONWriter.string(step.task)), ("host", JSONWriter.string(step.host)), ("step", String(step.index + 1)),
               ("of", String(step.count)), ("command", JSONWriter.string(description)), ("run", JSONWriter.string(run))])
    }

    /// A step of a host `--max-fail` kept from starting: recorded (not done) so `skp runs` counts
    /// the host and a resume, which runs every step not done, says why it runs.
    public func stepNotStarted(_ step: StepKey, description: String, reason: String) {
        note(step, done: false)
        write([("event", JSONWriter.string("not-started")), ("key", JSONWriter.string(step.key)),
               ("task", JSONWriter.string(step.task)), ("host", JSONWriter.string(step.host)), ("step", String(step.index + 1)),
               ("of", String(step.count)), ("command", JSONWriter.string(description)), ("reason", JSONWriter.string(reason))])
    }

    public func finish(exitCode: Int32, duration: Double, interrupted: Bool) {
        let (hosts, notDone) = lock.withLock {
            (Set(stepHosts.values.map(\.host)).count, Set(stepHosts.values.filter { !$0.done }.map(\.host)).count)
        }
        write([("event", JSONWriter.string("end")), ("exit_code", String(exitCode)), ("duration_ms", String(Int(duration * 1000))),
               ("interrupted", interrupted ? "true" : "false"), ("at", JSONWriter.string(Self.now())),
               ("hosts", String(hosts)), ("hosts_not_done", String(notDone))])
        sync()
    }

    private func note(_ step: StepKey, done: Bool) {
        lock.withLock { stepHosts[step.key] = (step.host, done) }
    }

    public func sync() { fsync(fd) }

    private func write(_ pairs: [(String, String)]) {
        let line = JSONWriter.object(pairs) + "\n"
        lock.lock(); defer { lock.unlock() }
        _ = line.withCString { Glibc.write(fd, $0, strlen($0)) }
    }

    static func now() -> String { timestamp(Date()) }

    /// UTC with milliseconds, as ISO 8601 (`2026-11-23T20:40:43.659Z`), without ICU: every
    /// step's start and end is stamped, and Foundation's formatter cost a fleet run more than
    /// the rest of writing the journal.
    static func timestamp(_ date: Date) -> String {
        let total = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(total >= 0 ? total / 1000 : (total - 999) / 1000)
        let millis = Int(total - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2)
            + "T" + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2)
            + "." + digits(Int32(millis), 3) + "Z"
    }

    private static let idFormatter: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return f
    }()
}
