import Foundation

/// The whole of one invocation: load → parse → resolve → plan → execute → report.
/// Only this type prints errors and chooses the exit code.
public struct App {
    public static let version = "0.1.0"

    public var environment: SkpEnvironment
    /// How hosts are reached (the SSH transport, supplied by the executable).
    public var transport: Transport?
    public var prompt: (@Sendable (String, Bool) -> String?)? = { Prompt.ask($0, secret: $1) }
    /// `-K`: reads the become password (the terminal, else a line of stdin).
    public var askBecomePassword: @Sendable (String) -> String? = { Prompt.line($0) }
    let attached = AttachedStatus()

    /// Set after `run` when an `attach` step ran: its command's exit status, which the executable
    /// exits with (like `ssh -t`), unless the run was interrupted or a host could not be reached.
    public var attachedExitCode: Int32? { attached.code }

    /// @unchecked: written once, by the thread running the plan, before `run` returns; read after.
    final class AttachedStatus: @unchecked Sendable { var code: Int32? }

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

    func runChecked(_ arguments: [String]) throws -> ExitCode {
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
        environment.variables["SKP_OUTPUT"] = options.json ? "json" : options.output.rawValue
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
        if options.list { print(options.json ? help.listJSON() : help.list(), terminator: options.json ? "\n" : ""); return .ok }

        var paths = InventoryPaths.resolve(hosts: options.hostsPath, volumes: options.volumesPath,
                                           networks: options.networksPath, images: options.imagesPath,
                                           services: options.servicesPath, folder: options.inventoryFolder,
                                           environment: environment.variables)
        // Only the files the planned tasks use are read (--list-hosts shows each host's volumes).
        if options.listHosts == nil {
            paths.unused = TaskLibrary.optionalInventories.subtracting(library.inventoriesNeeded(by: parsed.requests.map(\.task)))
        }
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
        planner.defaultSerial = options.serial
        planner.become = becomePassword(options, environment: environment)
        if let text = options.limit {
            let set = try SelectorResolver(inventory: inventory).resolve(Parser.parseSelector(text))
            if set.isEmpty { throw Diagnostic("--limit \(text) names no host") }
            planner.limit = set
        }
        if resuming != nil, parsed.requests.count != Set(parsed.requests.map(\.task)).count || parsed.requests.isEmpty {
            throw Diagnostic("--resume reruns the recorded command; give it no tasks")
        }
        let plan = try planner.plan(parsed.requests)
        Self.scrubArguments(parsed.secretPositions.sorted().map { arguments[$0] }.filter { !$0.hasPrefix("-") || $0.contains("=") }.map(Secret.init)
                            + plan.secrets)

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
            if options.json { print(plan.json) } else { print(PlanPrinter(style: style).render(plan), terminator: "") }
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

    func printError(_ text: String) {
        StandardStream.err(text + "\n")
    }
}
