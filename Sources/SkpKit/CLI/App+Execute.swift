import Foundation

/// `skp runs`, and running a plan: the views, the journal, the summary and the exit code.
extension App {
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
        let mask = SharedMask(plan.secrets)
        let sink = LiveOutput(style: style, layout: options.output, json: options.json, hostNames: names, mask: mask,
                              progress: isatty(2) == 1 && environment["TERM"] != "dumb")
        var files: OutputFiles?
        if let folder = options.outputDir {
            do {
                files = try OutputFiles(path: folder, mask: mask) { [sink] in sink.warning($0) }
            } catch let diagnostic as Diagnostic {
                printError(diagnostic.render(color: false) + "\nnothing was run")
                return .inputError
            } catch {
                printError("error: \(error)\nnothing was run")
                return .inputError
            }
        }
        if options.hostKeyChecking == "off" {
            sink.warning("HOST KEY CHECKING IS OFF: skp cannot tell these hosts from impostors; anyone on the path can read and change what is sent")
        }
        // The project's own SSH settings (vagrant.hosts writes them) come before the user's.
        let configs = [environment["SKP_SSH_CONFIG"] ?? ".skp/ssh_config", (environment["HOME"] ?? "/root") + "/.ssh/config"]
        let resolver = EndpointResolver(connection: options.connection, config: SSHConfig.load(paths: configs),
                                        environment: environment.variables)
        let executor = Executor(plan: plan, transport: transport, settings: options.run, endpoints: resolver, mask: mask)
        executor.observe(with: sink)
        if let files { executor.observe(with: files) }
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
        // A --check that found drift finished everything it could: there is nothing to resume.
        if let journal, ![.ok, .drift].contains(report.exitCode), report.attachedExitCode == nil, !options.json {
            printError(style.dim("to rerun only what did not finish: skp --resume \(journal.id)   (skp runs \(journal.id) shows each step)"))
        }
        return report.exitCode
    }
}
