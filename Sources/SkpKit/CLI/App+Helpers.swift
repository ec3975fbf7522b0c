import Foundation

/// Small answers App needs before or around a run.
extension App {
    /// Overwrites secrets given on the command line (`-p PASSWORD`, as the guide writes it) in
    /// skp's own argv, so /proc/PID/cmdline and `ps` stop showing them once parsing is done.
    /// `$SKP_SSH_PASSWORD` or the prompt never show at all.
    static func scrubArguments(_ secrets: [Secret]) {
        let secrets = secrets.map(\.revealed)
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


    /// Where `sudo` steps get their password, asked for only when the first one needs it:
    /// `-K` (the terminal, else one line of stdin), else `$SKP_BECOME_PASSWORD`. A dry run asks
    /// nothing: its plan shows the `sudo -S` form with no password in it.
    func becomePassword(_ options: Options, environment: SkpEnvironment) -> BecomePassword {
        let ask = askBecomePassword, given = environment["SKP_BECOME_PASSWORD"]
        return BecomePassword {
            if options.dryRun { return options.askBecomePass || given != nil ? Secret("") : nil }
            if options.askBecomePass {
                guard let typed = ask("BECOME password (sudo): ") else {
                    throw Diagnostic("-K needs the become password: no terminal to ask on, and stdin ended",
                                     hint: "type it at the prompt, pipe it on stdin, or set SKP_BECOME_PASSWORD")
                }
                return try BecomePassword.checked(typed, origin: "the become password given to -K")
            }
            return try given.map { try BecomePassword.checked($0, origin: "$SKP_BECOME_PASSWORD") }
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
}
