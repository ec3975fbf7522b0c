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
        /// Positions in the arguments that hold a secret parameter's value, and the flag before a
        /// separate value (`-p VALUE`): what a journal leaves out, found by structure, not by text.
        public var secretPositions: Set<Int> = []
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
            if arg == "--" {
                // `docker.exec -n web -- ls -l /`: the rest is the task's command, joined by
                // spaces as ssh joins its arguments.
                if let task = current, let param = task.param(named: "command"), !param.isFlag, i + 1 < arguments.count {
                    let index = result.requests.count - 1
                    guard result.requests[index].arguments[param.name] == nil else {
                        throw Diagnostic(.givenTwice(what: "--command", for: task.name), hint: "give the command once: after -- or with -c")
                    }
                    result.requests[index].arguments[param.name] = arguments[(i + 1)...].joined(separator: " ")
                    i = arguments.count
                }
                continue
            }
            guard arg.hasPrefix("-"), arg.count > 1 else {
                guard let task = lookup(arg) else { throw unknownTask(arg) }
                current = task
                result.requests.append(TaskRequest(task: task.name))
                continue
            }
            let (flag, inline) = split(arg)
            // A task's own flag wins over an option of the same name.
            if let task = current, let param = param(of: task, flag: flag) {
                let flagPosition = i
                let text = param.isFlag ? try Self.boolean(inline ?? "true", flag: flag) ? "true" : "false"
                    : try value(for: flag, inline: inline)
                if param.secret { result.secretPositions.formUnion(flagPosition...i) }
                // Two values for one flag: the intent is unclear, so neither wins.
                if result.requests[result.requests.count - 1].arguments[param.name] != nil {
                    throw Diagnostic(.givenTwice(what: flag, for: task.name), hint: "give each flag of a task once")
                }
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

    /// The value of an on/off flag (see `ParameterBinder.boolean`).
    static func boolean(_ text: String, flag: String) throws -> Bool { try ParameterBinder.boolean(text, flag: flag) }

    /// A number option within `range`, refused with the range otherwise (NaN, inf and 1e400 too).
    static func number(_ text: String, flag: String, in range: ClosedRange<Double>, unit: String) throws -> Double {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, range.contains(value),
              value != 0 || range.lowerBound == 0 else {
            throw Diagnostic(.outOfRange(what: flag, given: text, low: plain(range.lowerBound), high: plain(range.upperBound), unit: unit))
        }
        return value
    }

    /// A whole number written with digits only (no sign, no exponent), as OpenSSH reads
    /// ServerAliveInterval and ServerAliveCountMax.
    static func digits(_ text: String, flag: String, in range: ClosedRange<Int>) throws -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }), text.count <= 9, let n = Int(text), range.contains(n) else {
            throw Diagnostic(.outOfRange(what: flag, given: Printable.excerpt(text), low: String(range.lowerBound), high: String(range.upperBound),
                                         unit: "a whole number"))
        }
        return n
    }

    /// `2` or `40%` (`--serial`, `--max-fail`), range-checked.
    static func hostCount(_ text: String, flag: String) throws -> HostCount {
        guard let count = HostCount.parse(text) else {
            throw Diagnostic("\(flag) takes \(HostCount.expected), not '\(Printable.excerpt(text))'")
        }
        return count
    }

    /// A whole-number option within `range`.
    static func whole(_ text: String, flag: String, in range: ClosedRange<Double>, unit: String) throws -> Int {
        let value = try number(text, flag: flag, in: range, unit: unit)
        guard value == value.rounded() else {
            throw Diagnostic(.outOfRange(what: flag, given: text, low: plain(range.lowerBound), high: plain(range.upperBound), unit: "a whole number"))
        }
        return Int(value)
    }

    private static func plain(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The bounds of skp's numeric options. Timeouts become milliseconds in 32-bit fields of
    /// poll(2) and libssh2, so they stay far below 2^31 ms (24 days).
    static let connectTimeoutRange = 0.1...3_600.0, commandTimeoutRange = 0.1...604_800.0
    static let forksRange = 1.0...10_000.0, portRange = 1.0...65_535.0

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
        return Diagnostic(.unknown(.task, name: Printable.excerpt(name)), hint: hint)
    }

    private func applyOption(_ flag: String, inline: String?, to options: inout Options, task: TaskDefinition?,
                             value: () throws -> String) throws {
        if let option = OptionSpec.named(flag) {
            switch option.action {
            case .on(let path): options[keyPath: path] = try Self.boolean(inline ?? "true", flag: flag)
            case .text(let path): options[keyPath: path] = try value()
            case .checked(let apply): try apply(flag, try value(), &options)
            case .help: options.help = true; options.helpTopic = inline
            case .early:
                throw Diagnostic("--\(option.long) comes before anything else", hint: "skp --\(option.long)\(option.value.map { " " + $0 } ?? "")")
            }
            return
        }
        // `-pSECRET`, written mysql-style: the text after -p is a secret's value, never echoed.
        if let task, !flag.hasPrefix("--"), flag.count > 2, let secret = task.param(short: String(flag.dropFirst().prefix(1))), secret.secret {
            throw Diagnostic("unknown flag -\(secret.short ?? "")… for \(task.name) (the rest is not shown: -\(secret.short ?? "") takes a secret)",
                             hint: "give it as -\(secret.short ?? "") VALUE or -\(secret.short ?? "")=VALUE, or in $\(secret.environmentVariable ?? "its variable") or at the prompt")
        }
        var candidates = OptionSpec.listed.map { "--" + $0.long }
        if let task { candidates += task.decl.params.map { "--" + $0.name } }
        let hint = Suggest.closest(to: flag, in: candidates).map { "did you mean \($0)?" }
            ?? task.map { "skp --help \($0.name) lists its flags" } ?? "skp --help lists the options"
        throw Diagnostic(.unknown(.flag, name: Printable.excerpt(flag), within: task.map { "for \($0.name)" }), hint: hint)
    }
}
