import Foundation

/// The whole of one invocation: load → parse → resolve → plan → execute → report.
/// Only this type prints errors and chooses the exit code.
public struct App {
    public static let version = "0.1.0"

    /// Runs a plan on the hosts (the SSH transport, supplied by the executable).
    public typealias Runner = (Plan, Options, Style) -> ExitCode

    public var environment: SkpEnvironment
    public var runner: Runner?
    public var prompt: (@Sendable (String, Bool) -> String?)?

    public init(environment: SkpEnvironment = SkpEnvironment(), runner: Runner? = nil) {
        self.environment = environment
        self.runner = runner
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
            printError("error: \(error)")
        }
        return .inputError
    }

    private func runChecked(_ arguments: [String]) throws -> ExitCode {
        let tasksPath = Self.optionValue("--tasks", in: arguments) ?? environment["SKP_TASKS"] ?? "tasks"
        let library = try TaskLibrary.load(directory: tasksPath)
        let parsed = try CommandLineParser(library: library).parse(arguments)
        let options = parsed.options
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
                                           networks: options.networksPath, environment: environment.variables)
        var loader = InventoryLoader(environment: environment)
        let inventory = try loader.load(paths)

        if let text = options.listHosts {
            let hosts = try SelectorResolver(inventory: inventory).resolve(Parser.parseSelector(text, origin: "--list-hosts"))
                .hosts(in: inventory)
            print("  hosts (\(hosts.count)):")
            for host in hosts { print("    \(host.name)  \(host.address)") }
            return hosts.isEmpty ? .inputError : .ok
        }
        guard !parsed.requests.isEmpty else {
            print(help.general(), terminator: "")
            return .inputError
        }

        var planner = Planner(library: library, inventory: inventory, environment: environment, defaultUser: options.user)
        planner.prompt = prompt
        if let text = options.limit {
            let set = try SelectorResolver(inventory: inventory).resolve(Parser.parseSelector(text))
            if set.isEmpty { throw Diagnostic("--limit \(text) names no host") }
            planner.limit = set
        }
        let plan = try planner.plan(parsed.requests)

        if options.dryRun {
            if options.json { print(plan.json) } else { print(PlanPrinter(style: style).render(plan), terminator: "") }
            return .ok
        }
        guard let runner else {
            throw Diagnostic("this build of skp cannot run tasks (no transport); use --dry-run")
        }
        return runner(plan, options, style)
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
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
