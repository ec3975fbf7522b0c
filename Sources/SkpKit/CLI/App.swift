import Foundation

/// The whole of one invocation: load → parse → resolve → plan → execute → report.
/// Only this type prints errors and chooses the exit code.
public struct App {
    public static let version = "0.1.0"

    public var environment: SkpEnvironment
    /// How hosts are reached (the SSH transport, supplied by the executable).
    public var transport: Transport?
    public var prompt: (@Sendable (String, Bool) -> String?)? = { Prompt.ask($0, secret: $1) }
    private let attached = AttachedStatus()

    /// Set after `run` when an `attach` step ran: its command's exit status, which the executable
    /// exits with (like `ssh -t`), unless the run was interrupted or a host could not be reached.
    public var attachedExitCode: Int32? { attached.code }

    private final class AttachedStatus: @unchecked Sendable { var code: Int32? }

    public init(environment: SkpEnvironment = SkpEnvironment(), transport: Transport? = nil) {
        self.environment = environment
        self.transport = transport
    }

    public func run(_ arguments: [String]) -> ExitCode {
        let errorStyle = Style(mode: .auto, fileDescriptor: 2, environment: environment.variables)
        do {
            return try runChecked(arguments)
        } catch let diagnostic as Diagnostic {
            printError(diagnostic.render(color: errorStyle.enabled))
        } catch let list as DiagnosticList {
            for diagnostic in list.diagnostics { printError(diagnostic.render(color: errorStyle.enabled)) }
            if list.diagnostics.count > 1 { printError("\(list.diagnostics.count) errors; nothing was run") }
        } catch {
            printError("error: \(String(describing: error).visible(keepingLines: true))")
        }
        return .inputError
    }

    private func runChecked(_ arguments: [String]) throws -> ExitCode {
        // `skp runs [ID] [--json]`: the run journals; needs no task files or inventory.
        let leading = arguments.first == "--color" ? Array(arguments.dropFirst(2)) : arguments
        if leading.first == "runs" { return try runs(Array(leading.dropFirst())) }
        // `--resume [ID]`: the recorded command line of that run, with this one's options added.
        var arguments = arguments
        var resuming: RunRecord?
        if let index = arguments.firstIndex(where: { $0 == "--resume" || $0.hasPrefix("--resume=") }) {
            var id: String? = arguments[index].hasPrefix("--resume=") ? String(arguments[index].dropFirst(9)) : nil
            arguments.remove(at: index)
            let folder = Journal.folder(environment)
            if id == nil, index < arguments.count, !arguments[index].hasPrefix("-"),
               RunHistory.list(folder: folder).contains(where: { $0.id.hasPrefix(arguments[index]) }) {
                id = arguments.remove(at: index)
            }
            let run = try RunHistory.find(id, folder: folder)
            resuming = run
            arguments = run.arguments + arguments
        }
        let tasksPath = Self.optionValue("--tasks", in: arguments) ?? environment["SKP_TASKS"] ?? "tasks"
        let library: TaskLibrary
        do {
            library = try TaskLibrary.load(directory: tasksPath)
        } catch {
            // --version and the general --help need no task: they answer while a task file is broken.
            guard let answer = Self.answerWithoutTasks(arguments, environment: environment) else { throw error }
            print(answer, terminator: "")
            FileHandle.standardError.write(Data("warning: the task files in \(tasksPath) have errors; any task command shows them\n".utf8))
            return .ok
        }
        // Completion helpers run before anything else can fail on a half-typed line.
        if arguments.first == "--complete-tasks" { print(Completion.tasks(library), terminator: ""); return .ok }
        if arguments.first == "--complete-flags" {
            print(Completion.flags(arguments.dropFirst().first.flatMap { library.lookup($0) }), terminator: "")
            return .ok
        }
        if arguments.first == "--completion" {
            guard let shell = arguments.dropFirst().first, let script = Completion.script(for: shell) else {
                throw Diagnostic("--completion takes bash, zsh or fish")
            }
            print(script, terminator: "")
            return .ok
        }
        // Tasks reach skp's own files (lab/lab.sh) through ${env.SKP_ROOT}.
        var environment = self.environment
        if environment["SKP_ROOT"] == nil { environment.variables["SKP_ROOT"] = Self.projectRoot() }
        let parsed = try CommandLineParser(library: library).parse(arguments)
        let options = parsed.options
        // Tasks can shape what they print for the view the user asked for (${env.SKP_OUTPUT}):
        // docker.ps prints one JSON object per container under --json.
        environment.variables["SKP_OUTPUT"] = options.json ? "json" : options.output
        let style = Style(mode: options.color, fileDescriptor: 1, environment: environment.variables)
        let help = HelpPrinter(library: library, style: style)

        if options.version { print("skp \(Self.version)"); return .ok }
        if options.help {
            if let topic = options.helpTopic ?? parsed.requests.first?.task {
                guard let task = library.lookup(topic) else {
                    throw CommandLineParser(library: library).unknownTask(topic)
                }
                print(help.task(task), terminator: "")
            } else {
                print(help.general(), terminator: "")
            }
            return .ok
        }
        if options.list { print(help.list(), terminator: ""); return .ok }

        let paths = InventoryPaths.resolve(hosts: options.hostsPath, volumes: options.volumesPath,
                                           networks: options.networksPath, images: options.imagesPath,
                                           services: options.servicesPath, folder: options.inventoryFolder,
                                           environment: environment.variables)
        var loader = InventoryLoader(environment: environment)
        let inventory = try loader.load(paths)
        if let resuming { try Self.checkResumable(resuming, paths: paths, allowChanges: options.allowInventoryChange) }

        if let text = options.listHosts {
            let hosts = try SelectorResolver(inventory: inventory).resolve(Parser.parseSelector(text, origin: "--list-hosts"))
                .hosts(in: inventory)
            print(HelpPrinter.inventoryTable(hosts, inventory: inventory, selector: text), terminator: "")
            return hosts.isEmpty ? .inputError : .ok
        }
        guard !parsed.requests.isEmpty else {
            print(help.general(), terminator: "")
            return .inputError
        }

        var planner = Planner(library: library, inventory: inventory, environment: environment, defaultUser: options.user)
        // A dry run never stops to ask.
        planner.prompt = options.dryRun ? nil : prompt
        if let text = options.limit {
            let set = try SelectorResolver(inventory: inventory).resolve(Parser.parseSelector(text))
            if set.isEmpty { throw Diagnostic("--limit \(text) names no host") }
            planner.limit = set
        }
        if resuming != nil, parsed.requests.count != Set(parsed.requests.map(\.task)).count || parsed.requests.isEmpty {
            throw Diagnostic("--resume reruns the recorded command; give it no tasks")
        }
        let plan = try planner.plan(parsed.requests)
        Self.scrubArguments(parsed.secretPositions.sorted().map { arguments[$0] }.filter { !$0.hasPrefix("-") || $0.contains("=") } + plan.secrets)

        if options.dryRun, let resuming {
            if options.json {
                let skips = ResumeLedger.stepsToSkip(plan: plan, done: resuming.done)
                print(JSONWriter.object([("resume_of", JSONWriter.string(resuming.id)),
                                         ("skipped_steps", String(skips.count)), ("plan", plan.json)]))
            } else {
                print(ResumePrinter(style: style).render(plan, run: resuming), terminator: "")
            }
            return .ok
        }
        if options.dryRun {
            // Masked by value too: a secret's text that reached the plan another way is not shown.
            let mask = SecretMask(plan.secrets)
            if options.json { print(mask.apply(plan.json)) } else { print(mask.apply(PlanPrinter(style: style).render(plan)), terminator: "") }
            return .ok
        }
        guard let transport else {
            throw Diagnostic("this build of skp cannot run tasks (no transport); use --dry-run")
        }
        // Old journals go as this recorded run starts ($SKP_KEEP_RUNS…), never the one it resumes.
        try RunRetention(environment: environment.variables).prune(folder: Journal.folder(environment), sparing: resuming?.id)
        let recorded = Self.recordable(arguments, secretPositions: parsed.secretPositions, secrets: plan.secrets)
        return execute(plan, options: options, style: style, transport: transport, paths: paths,
                       recorded: recorded, resuming: resuming)
    }

    /// The command line as a journal keeps it, and as it is shown (`command`).
    struct RecordedLine {
        /// Without the secret parameters (flag and value): a resume asks for them again.
        var arguments: [String]
        /// For people: secret values as ***.
        var command: String
        /// A secret value stood inside another argument, which is recorded masked.
        var masked: Bool
    }

    /// Secret parameters are found by position (the parser knows which flags are secret), never by
    /// matching text: a secret that happens to end another argument must not drop that argument.
    /// Any other argument still holding a secret's text is recorded masked and marked.
    static func recordable(_ arguments: [String], secretPositions: Set<Int>, secrets: [String]) -> RecordedLine {
        let mask = SecretMask(secrets)
        var kept: [String] = [], shown: [String] = []
        var masked = false
        for (i, argument) in arguments.enumerated() {
            if secretPositions.contains(i) {
                // `-p VALUE`: the flag is shown, the value is not; `-p=VALUE`: the flag part is shown.
                if argument.hasPrefix("-"), secretPositions.contains(i + 1), !argument.contains("=") {
                    shown.append(argument)
                } else if argument.hasPrefix("-"), let equals = argument.firstIndex(of: "=") {
                    shown.append(argument[..<equals] + "=***")
                } else {
                    shown.append("***")
                }
                continue
            }
            let hidden = mask.apply(argument)
            if hidden != argument { masked = true }
            kept.append(hidden)
            shown.append(hidden)
        }
        return RecordedLine(arguments: kept, command: (["skp"] + shown).joined(separator: " "), masked: masked)
    }

    /// A resume reruns what a run planned: refused when its command line could not be recorded
    /// whole, or when its inventories are not the ones it used (unless told to go ahead).
    static func checkResumable(_ run: RunRecord, paths: InventoryPaths, allowChanges: Bool) throws {
        if run.argumentsMasked {
            throw Diagnostic("run \(run.id) cannot be resumed: a secret stood inside one of its arguments, which was recorded masked",
                             hint: "run the command again as you first gave it")
        }
        let changes = InventoryFingerprint.differences(recorded: run.inventories, now: InventoryFingerprint.of(paths))
        guard !changes.isEmpty, !allowChanges else { return }
        throw Diagnostic("run \(run.id) used other inventories: " + changes.joined(separator: "; "),
                         hint: "nothing was run; resume with the same files, or add --allow-inventory-change to rerun its unfinished steps against these")
    }

    /// `skp runs`: recent runs; `skp runs ID`: one, host × step; `--json` for either.
    func runs(_ arguments: [String]) throws -> ExitCode {
        let json = arguments.contains("--json")
        let rest = arguments.filter { $0 != "--json" && !$0.hasPrefix("--color") }
        if let unknown = rest.first(where: { $0.hasPrefix("-") }) {
            throw Diagnostic("unknown flag \(unknown) for skp runs", hint: "skp runs [RUN] [--json]")
        }
        let folder = Journal.folder(environment)
        let style = Style(mode: .auto, fileDescriptor: 1, environment: environment.variables)
        let printer = RunsPrinter(style: style)
        if let id = rest.first {
            let run = try RunHistory.find(id, folder: folder)
            print(json ? printer.runJSON(run) : printer.show(run), terminator: json ? "\n" : "")
        } else {
            let runs = Array(RunHistory.list(folder: folder).prefix(20))
            print(json ? printer.json(runs) : printer.list(runs, folder: folder), terminator: json ? "\n" : "")
        }
        return .ok
    }

    /// Runs the plan and prints the one summary; the exit code says how it went.
    func execute(_ plan: Plan, options: Options, style: Style, transport: Transport, paths: InventoryPaths,
                 recorded: RecordedLine, resuming: RunRecord?) -> ExitCode {
        let inventoryPath = paths.hosts
        let command = recorded.command
        Cancellation.installSignalHandlers()
        let lock: RunLock
        do {
            lock = try RunLock(inventory: inventoryPath, command: command, wait: !options.noWait,
                               cancel: Cancellation(), environment: environment.variables) { holder in
                printError("skp: waiting for another run on this inventory to finish (\(holder)); Ctrl-C to stop")
            }
        } catch let busy as RunLock.Busy {
            printError("error: \(busy)\nhint: nothing was run; wait for it, or run without --no-wait to queue behind it")
            return Cancellation.interruptCount > 0 ? .interrupted : .inputError
        } catch let diagnostic as Diagnostic {
            printError(diagnostic.render(color: false) + "\nnothing was run")
            return .inputError
        } catch {
            printError("error: \(error)\nnothing was run")
            return .inputError
        }
        defer { withExtendedLifetime(lock) {} }
        let names = plan.tasks.flatMap { $0.stages.flatMap { $0.hosts.map(\.name) } }
        let mode: OutputSink.Mode = options.json ? .json : (options.output == "grouped" ? .grouped : .stream)
        let mask = SharedMask(plan.secrets)
        let sink = OutputSink(style: style, mode: mode, hostNames: names, mask: mask,
                              progress: isatty(2) == 1 && environment["TERM"] != "dumb")
        if options.hostKeyChecking == "off" {
            sink.warning("HOST KEY CHECKING IS OFF: skp cannot tell these hosts from impostors; anyone on the path can read and change what is sent")
        }
        // The project's own SSH settings (vagrant.hosts writes them) come before the user's.
        let configs = [environment["SKP_SSH_CONFIG"] ?? ".skp/ssh_config", (environment["HOME"] ?? "/root") + "/.ssh/config"]
        let resolver = EndpointResolver(connection: options.connection, config: SSHConfig.load(paths: configs),
                                        environment: environment.variables)
        let executor = Executor(plan: plan, transport: transport, settings: options.run, endpoints: resolver, mask: mask)
        executor.observe(with: sink)
        var journal: Journal?
        do {
            journal = try Journal(folder: Journal.folder(environment), command: command,
                                  arguments: recorded.arguments, argumentsMasked: recorded.masked, inventory: inventoryPath,
                                  inventories: InventoryFingerprint.of(paths), resumeOf: resuming?.id)
        } catch {
            sink.warning("this run is not recorded (\(error)); --resume will not know it")
        }
        if let journal { executor.observe(with: journal) }
        if let resuming { executor.resuming(resuming.id, done: resuming.done) }
        let report = executor.run()
        if [.ok, .taskFailed].contains(report.exitCode) { attached.code = report.attachedExitCode }
        journal?.finish(exitCode: report.exitCode.rawValue, duration: report.duration, interrupted: report.interrupted)
        let summary = SummaryPrinter(style: style)
        sink.raw(options.json ? summary.json(report) + "\n" : summary.render(report))
        if let journal, report.exitCode != .ok, report.attachedExitCode == nil, !options.json {
            printError(style.dim("to rerun only what did not finish: skp --resume \(journal.id)   (skp runs \(journal.id) shows each step)"))
        }
        return report.exitCode
    }

    /// Overwrites secrets given on the command line (`-p PASSWORD`, as the guide writes it) in
    /// skp's own argv, so /proc/PID/cmdline and `ps` stop showing them once parsing is done.
    /// `$SKP_SSH_PASSWORD` or the prompt never show at all.
    static func scrubArguments(_ secrets: [String]) {
        guard !secrets.isEmpty else { return }
        for i in 1..<Int(CommandLine.argc) {
            guard let arg = CommandLine.unsafeArgv[i] else { continue }
            let text = String(cString: arg)
            for secret in secrets where !secret.isEmpty && (text == secret || text.hasSuffix("=" + secret)) {
                let start = strlen(arg) - strlen(secret)
                memset(arg + start, Int32(UInt8(ascii: "*")), strlen(secret))
            }
        }
    }


    /// skp's own folder: the nearest parent of the executable holding lab/lab.sh
    /// (the binary lives in .build/…/release inside it).
    static func projectRoot() -> String {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        if !CommandLine.arguments[0].contains("/"), let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            url = URL(fileURLWithPath: exe)
        }
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.path + "/lab/lab.sh") { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }

    /// `skp --version` or the general `skp --help` parsed against no tasks, or nil for anything else.
    static func answerWithoutTasks(_ arguments: [String], environment: SkpEnvironment) -> String? {
        guard let library = try? TaskLibrary(files: []),
              let parsed = try? CommandLineParser(library: library).parse(arguments), parsed.requests.isEmpty else { return nil }
        if parsed.options.version { return "skp \(version)\n" }
        guard parsed.options.help, parsed.options.helpTopic == nil else { return nil }
        let style = Style(mode: parsed.options.color, fileDescriptor: 1, environment: environment.variables)
        return HelpPrinter(library: library, style: style).general()
    }

    /// Reads one option before the full parse (the task folder must be known to parse tasks).
    static func optionValue(_ name: String, in arguments: [String]) -> String? {
        for (i, arg) in arguments.enumerated() {
            if arg == name, i + 1 < arguments.count { return arguments[i + 1] }
            if arg.hasPrefix(name + "=") { return String(arg.dropFirst(name.count + 1)) }
        }
        return nil
    }

    private func printError(_ text: String) {
        StandardStream.err(text + "\n")
    }
}
