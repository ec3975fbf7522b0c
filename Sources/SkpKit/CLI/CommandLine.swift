/// Splits `skp [OPTIONS] TASK [FLAGS] [TASK [FLAGS]…]` into options and task requests.
///
/// Task flags are accepted in every form the guide uses: `-n v`, `-n=v`, `--name v`,
/// `--name=v` (`-c="…"` arrives from the shell as `-c=…`). Options may come before the first
/// task or after any task, as long as the task has no flag of that name.
public struct CommandLineParser {
    public let library: TaskLibrary

    public init(library: TaskLibrary) { self.library = library }

    public struct Result: Sendable {
        public var options = Options()
        public var requests: [TaskRequest] = []
    }

    public func parse(_ arguments: [String]) throws -> Result {
        var result = Result()
        var current: TaskDefinition?
        var i = 0
        func value(for flag: String, inline: String?) throws -> String {
            if let inline { return inline }
            i += 1
            guard i < arguments.count else { throw Diagnostic("\(flag) needs a value") }
            return arguments[i]
        }
        while i < arguments.count {
            let arg = arguments[i]
            defer { i += 1 }
            if arg == "--" { continue }
            guard arg.hasPrefix("-"), arg.count > 1 else {
                guard let task = lookup(arg) else { throw unknownTask(arg) }
                current = task
                result.requests.append(TaskRequest(task: task.name))
                continue
            }
            let (flag, inline) = split(arg)
            // A task's own flag wins over an option of the same name.
            if let task = current, let param = param(of: task, flag: flag) {
                let text = param.isFlag ? (inline ?? "true") : try value(for: flag, inline: inline)
                result.requests[result.requests.count - 1].arguments[param.name] = text
                continue
            }
            try applyOption(flag, inline: inline, to: &result.options, task: current) { try value(for: flag, inline: inline) }
            if result.options.help, result.options.helpTopic == nil, inline == nil, i + 1 < arguments.count,
               !arguments[i + 1].hasPrefix("-") {
                i += 1
                result.options.helpTopic = arguments[i]
            }
        }
        return result
    }

    /// `--name=v` → ("--name", "v"); `-n=v` → ("-n", "v"); `-n` → ("-n", nil).
    func split(_ arg: String) -> (String, String?) {
        if let eq = arg.firstIndex(of: "=") {
            return (String(arg[..<eq]), String(arg[arg.index(after: eq)...]))
        }
        return (arg, nil)
    }

    func lookup(_ name: String) -> TaskDefinition? {
        library.lookup(name) ?? library.lookup(name.replacingOccurrences(of: "_", with: "-"))
    }

    func param(of task: TaskDefinition, flag: String) -> ParamDecl? {
        if flag.hasPrefix("--") {
            let name = String(flag.dropFirst(2))
            return task.param(named: name) ?? task.param(named: name.replacingOccurrences(of: "-", with: "_"))
                ?? task.param(named: name.replacingOccurrences(of: "_", with: "-"))
        }
        return task.param(short: String(flag.dropFirst()))
    }

    func unknownTask(_ name: String) -> Diagnostic {
        let hint = Suggest.closest(to: name, in: library.order).map { "did you mean \($0)?" }
            ?? "skp --list shows every task"
        return Diagnostic("no task named \(name)", hint: hint)
    }

    private func applyOption(_ flag: String, inline: String?, to options: inout Options, task: TaskDefinition?,
                             value: () throws -> String) throws {
        switch flag {
        case "-l", "--list": options.list = true
        case "-h", "--help": options.help = true; options.helpTopic = inline
        case "-V", "--version": options.version = true
        case "-v": options.verbose = true
        case "-L": options.limit = try value()
        case "--color": 
            let text = try value()
            guard let mode = Style.Mode(rawValue: text) else { throw Diagnostic("--color takes auto, always or never") }
            options.color = mode
        case "--forks", "-f":
            guard let n = Int(try value()), n > 0 else { throw Diagnostic("--forks takes a positive number") }
            options.forks = n
        case "--connect-timeout", "--timeout":
            guard let seconds = Double(try value()), seconds > 0 else { throw Diagnostic("\(flag) takes seconds, e.g. 10") }
            if flag == "--timeout" { options.commandTimeout = seconds } else { options.connectTimeout = seconds }
        case "--port":
            guard let n = Int(try value()), (1...65535).contains(n) else { throw Diagnostic("--port takes 1-65535") }
            options.port = n
        case "--output", "-o":
            let text = try value()
            guard ["stream", "grouped"].contains(text) else { throw Diagnostic("--output takes stream or grouped") }
            options.output = text
        case "--host-key-checking":
            let text = try value()
            guard ["strict", "accept-new", "off"].contains(text) else {
                throw Diagnostic("--host-key-checking takes strict, accept-new or off")
            }
            options.hostKeyChecking = text
        default:
            let name = String(flag.drop { $0 == "-" })
            if flag.hasPrefix("--"), let path = Options.valued[name] { options[keyPath: path] = try value(); return }
            if flag.hasPrefix("--"), let path = Options.switches[name] { options[keyPath: path] = true; return }
            var candidates = Options.allNames.map { "--" + $0 }
            if let task { candidates += task.decl.params.map { "--" + $0.name } }
            let hint = Suggest.closest(to: flag, in: candidates).map { "did you mean \($0)?" }
                ?? task.map { "skp --help \($0.name) lists its flags" } ?? "skp --help lists the options"
            let owner = task.map { " for \($0.name)" } ?? ""
            throw Diagnostic("unknown flag \(flag)\(owner)", hint: hint)
        }
    }
}
