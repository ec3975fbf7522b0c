/// `skp --list`, `skp --help` and `skp --help TASK`.
public struct HelpPrinter {
    public var library: TaskLibrary
    public var style: Style

    public init(library: TaskLibrary, style: Style) {
        self.library = library
        self.style = style
    }

    /// Tasks grouped by namespace, one line of help each.
    public func list() -> String {
        var out = style.bold("Tasks") + style.dim(" (skp --help TASK for its flags)") + "\n"
        let width = (library.order.map(\.count).max() ?? 10) + 2
        var namespace = ""
        for name in library.order {
            let task = library[name]!
            if task.namespace != namespace {
                namespace = task.namespace
                out += "\n" + style.bold(namespace)
                if let help = library.namespaceHelp[namespace] { out += style.dim("  " + help) }
                out += "\n"
            }
            out += "  " + style.cyan(name.padding(toLength: width, withPad: " ", startingAt: 0)) + task.help + "\n"
        }
        return out
    }

    public func task(_ task: TaskDefinition) -> String {
        var out = style.bold(task.name) + (task.help.isEmpty ? "" : ": " + task.help) + "\n\n"
        var usage = "skp \(task.name)"
        for param in task.decl.params {
            let flag = param.short.map { "-\($0)" } ?? "--\(param.name)"
            let word = param.isFlag ? flag : "\(flag) \(param.name.uppercased())"
            let written = param.fromLimit ? "\(word)|--limit HOST" : word
            usage += param.required ? " \(written)" : " [\(written)]"
        }
        out += "Usage: \(usage)\n"
        if !task.decl.params.isEmpty {
            out += "\nFlags:\n"
            for param in task.decl.params {
                var flags = param.short.map { "-\($0), " } ?? "    "
                flags += "--\(param.name)" + (param.isFlag ? "" : " \(param.name.uppercased())")
                var notes: [String] = []
                if param.required { notes.append("required") }
                if param.secret { notes.append("secret: masked in all output") }
                if let template = param.defaultValue, let text = template.literalText { notes.append("default \"\(text)\"") }
                if let variable = param.environmentVariable { notes.append("or $\(variable)") }
                if param.prompt { notes.append("asked for when missing") }
                if param.fromLimit { notes.append("or --limit HOST: the host acted on, not where the steps run") }
                let help = (param.help ?? "") + (notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")")
                out += "  " + flags.padding(toLength: 30, withPad: " ", startingAt: 0) + help + "\n"
            }
        }
        let targets = Self.targets(task.decl.body)
        out += "\nRuns on: " + (targets.isEmpty ? "all" : targets.joined(separator: "; then ")) + "\n"
        if !task.pre.isEmpty { out += "Before it: " + task.pre.map(\.task).joined(separator: ", ") + "\n" }
        if !task.post.isEmpty { out += "After it: " + task.post.map(\.task).joined(separator: ", ") + "\n" }
        out += style.dim("Defined at \(task.decl.location)") + "\n"
        return out
    }

    /// `--list --json`: every task with its namespace, help, flags, hooks and where it is defined.
    public func listJSON() -> String {
        JSONWriter.object([("tasks", JSONWriter.array(library.order.compactMap { library[$0] }.map { task in
            JSONWriter.object([
                ("name", JSONWriter.string(task.name)), ("namespace", JSONWriter.string(task.namespace)),
                ("help", JSONWriter.string(task.help)),
                ("params", JSONWriter.array(task.decl.params.map { param in
                    JSONWriter.object([
                        ("name", JSONWriter.string(param.name)), ("short", param.short.map(JSONWriter.string) ?? "null"),
                        ("flag", param.isFlag ? "true" : "false"), ("required", param.required ? "true" : "false"),
                        ("secret", param.secret ? "true" : "false"),
                        ("default", param.defaultValue?.literalText.map(JSONWriter.string) ?? "null"),
                        ("env", param.environmentVariable.map(JSONWriter.string) ?? "null"),
                        ("help", JSONWriter.string(param.help ?? "")),
                    ])
                })),
                ("pre", JSONWriter.array(task.pre.map { JSONWriter.string($0.task) })),
                ("post", JSONWriter.array(task.post.map { JSONWriter.string($0.task) })),
                ("defined_at", JSONWriter.string(task.decl.location.description)),
            ])
        }))])
    }

    /// The inventory view: the hosts a selector names, with roles, enabled labels and the
    /// volumes each carries.
    public static func inventoryTable(_ hosts: [Host], inventory: Inventory, selector: String) -> String {
        let rows = [["host", "address", "roles", "labels", "volumes"]] + hosts.map { host in
            [host.name, host.address, host.roles.joined(separator: ","), host.enabledLabels.joined(separator: ","),
             inventory.volumes(on: host).map(\.name).joined(separator: ",")]
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = ""
        for row in rows {
            let cells = row.enumerated().map { i, cell in i == 4 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            out += "  " + cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        return out + "\(hosts.count) host\(hosts.count == 1 ? "" : "s") match \(selector)\n"
    }

    /// How a `serial` stage takes its hosts, as help shows it.
    static func atATime(_ serial: HostCount?) -> String {
        switch serial {
        case nil: ""
        case .hosts(1)?: " (one at a time)"
        case let count?: " (\(count) at a time)"
        }
    }

    /// The `on` selectors of a task body, in order.
    static func targets(_ items: [Item]) -> [String] {
        var out: [String] = []
        for item in items {
            switch item {
            case .stage(let s, let serial, let body, _):
                out.append(s.description + atATime(serial))
                out += targets(body)
            case .target(let s, let serial, _):
                out.append(s.description + atATime(serial))
            case .loop(_, _, _, let body, _): out += targets(body)
            case .condition(_, let a, let b, _): out += targets(a + b)
            default: break
            }
        }
        return out
    }

    public func general() -> String {
        """
        \(style.bold("skp")): run tasks on many hosts at once over SSH (Docker Swarm clusters, labs, bare metal)

        Usage: skp [OPTIONS] TASK [FLAGS] [TASK [FLAGS]...]
               skp runs [RUN] [--json]     recorded runs, or one run host by step

        Options:

        """ + OptionSpec.helpLines + """

        Exit status: 0 ok; 1 a step failed on a host; 2 bad input (nothing ran);
                     3 a host could not be reached; 4 --check found drift; 130 interrupted.

        """
    }
}
