import Foundation

/// `--output-dir`: what each host's steps print goes to files as it arrives, beside whichever
/// view is on screen: `DIR/HOST/NNN-TASK-STEP.out` and `.err`, NNN counting the host's steps in
/// this run (001, 002…), STEP a short name from the step's command. Both files are created when
/// the step starts (empty when it prints nothing). Lines are masked like the screen's and cut
/// the same way; only a partial line is held in memory.
/// It keeps its own `LineSplitter` because a file ends with its step, while the screen views
/// join a step's unfinished last line with the next step's output, as they always have.
public final class OutputFiles: RunObserver, @unchecked Sendable {
    // @unchecked: the splitter and the open files are only touched under `lock`.
    private let lock = NSLock()
    private let directory: OutputDirectory
    private var splitter: LineSplitter
    private var open: [String: (out: Int32, err: Int32)] = [:]
    private var sequence: [String: Int] = [:]
    /// Hosts whose files failed: said once, then left alone.
    private var failed: Set<String> = []
    private let warn: @Sendable (String) -> Void

    /// Opens (creating) `path` safely; throws when it cannot be used, before anything runs.
    public init(path: String, mask: SharedMask, warn: @escaping @Sendable (String) -> Void) throws {
        do {
            directory = try OutputDirectory(path)
        } catch let refused as OutputDirectory.Refused {
            throw Diagnostic("--output-dir: \(refused.description)")
        }
        splitter = LineSplitter(mask: mask)
        // Warnings name hosts and paths: masked like everything else skp prints.
        self.warn = { warn(mask.apply($0)) }
    }

    deinit { for files in open.values { close(files.out); close(files.err) } }

    public func observe(_ event: RunEvent) {
        lock.lock(); defer { lock.unlock() }
        switch event {
        case .stepStarted(let key, let description): start(key, description)
        case .output(let task, let host, let stream, let bytes):
            guard open[host] != nil else { return }
            splitter.feed(task: task, host: host, stream: stream, bytes: bytes) { write($0, newline: !$0.cut) }
        case .stepFinished(let key, _, _, _): finish(key.task, key.host)
        case .hostFinished(let task, let host, _, _): finish(task, host)
        default: break
        }
    }

    private func start(_ key: StepKey, _ description: String) {
        finish(key.task, key.host)
        let number = sequence[key.host, default: 0] + 1
        sequence[key.host] = number
        guard !failed.contains(key.host) else { return }
        let host = PathComponent.safe(key.host)
        let name = String(format: "%03d", number) + "-" + PathComponent.safe(key.task) + "-" + PathComponent.slug(description)
        do {
            let folder = try directory.folder(host)
            defer { close(folder) }
            let out = try directory.create(name + ".out", in: folder, shownAs: host + "/" + name + ".out")
            do {
                open[key.host] = (out, try directory.create(name + ".err", in: folder, shownAs: host + "/" + name + ".err"))
            } catch {
                close(out)
                throw error
            }
        } catch {
            failed.insert(key.host)
            warn("\(error); \(key.host)'s output is not written to files from here on")
        }
    }

    /// The step is over: its unfinished line goes in as it is, and its files are closed.
    private func finish(_ task: String, _ host: String) {
        guard let files = open[host] else { return }
        splitter.flush(task: task, host: host) { write($0, newline: false) }
        open[host] = nil
        close(files.out)
        close(files.err)
    }

    private func write(_ line: OutputLine, newline: Bool) {
        guard let files = open[line.host] else { return }
        let bytes = Array((line.text + (newline ? "\n" : "")).utf8)
        var rest = bytes[...]
        while !rest.isEmpty {
            let n = rest.withUnsafeBytes { Glibc.write(line.stream == .stderr ? files.err : files.out, $0.baseAddress, $0.count) }
            if n > 0 { rest = rest.dropFirst(n); continue }
            if n < 0 && errno == EINTR { continue }
            failed.insert(line.host)
            warn("cannot write \(directory.path)/\(PathComponent.safe(line.host))/…: \(OutputDirectory.reason(errno)); \(line.host)'s output is not written to files from here on")
            open[line.host] = nil
            close(files.out)
            close(files.err)
            return
        }
    }
}
