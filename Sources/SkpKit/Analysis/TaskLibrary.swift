import Foundation

/// Every task of `tasks/*.skp`, parsed and linked. Building one checks what can be checked
/// without an inventory: duplicate names, hooks that name no task, hook cycles, bad parameters.
public struct TaskLibrary: Sendable {
    public private(set) var tasks: [String: TaskDefinition] = [:]
    /// Full names in file order, then declaration order: `--list` prints them this way.
    public private(set) var order: [String] = []
    public private(set) var namespaceHelp: [String: String] = [:]
    /// Named checks by full name (`docker.swarm-is`), with the file they are written in.
    public private(set) var checks: [String: (decl: CheckDecl, source: SourceText)] = [:]

    public init(files: [TaskFile]) throws {
        var problems: [Diagnostic] = []
        for file in files {
            if let help = file.help { namespaceHelp[file.namespace] = help }
            for check in file.checks {
                if let first = checks[check.name] {
                    problems.append(Diagnostic(.definedTwice(what: "check", name: check.name, first: first.decl.location),
                                               at: check.location, source: file.source))
                    continue
                }
                problems += Self.checkRaw(check, source: file.source)
                checks[check.name] = (check, file.source)
            }
            for decl in file.tasks {
                let name = file.namespace + "." + decl.name
                if let first = tasks[name] {
                    problems.append(Diagnostic(.definedTwice(what: "task", name: name, first: first.decl.location),
                                               at: decl.location, source: file.source))
                    continue
                }
                problems += Self.checkParams(decl, source: file.source)
                problems += Self.checkRaw(decl, source: file.source)
                tasks[name] = TaskDefinition(namespace: file.namespace, decl: decl, source: file.source, pre: [], post: [])
                order.append(name)
            }
        }
        for name in order {
            problems += checkUses(tasks[name]!)
            var task = tasks[name]!
            task.pre = task.decl.pre.compactMap { resolve($0, from: task, problems: &problems) }
            task.post = task.decl.post.compactMap { resolve($0, from: task, problems: &problems) }
            tasks[name] = task
        }
        if problems.isEmpty { problems += findCycles() }
        if !problems.isEmpty { throw DiagnosticList(problems) }
    }

    /// Loads `*.skp` from `directory`, sorted by name so the order is stable.
    public static func load(directory: String) throws -> TaskLibrary {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".skp") }.sorted()
        } catch {
            throw Diagnostic("cannot read the task folder \(directory)",
                             hint: "run skp from the project folder, or set SKP_TASKS or --tasks")
        }
        var files: [TaskFile] = []
        var problems: [Diagnostic] = []
        for name in names {
            let path = directory == "." ? name : directory + "/" + name
            do {
                files.append(try Parser.parseFile(try taskSource(path: path)))
            } catch let diagnostic as Diagnostic {
                problems.append(diagnostic)
            }
        }
        if !problems.isEmpty { throw DiagnosticList(problems) }
        return try TaskLibrary(files: files)
    }

    /// The text of one task file: a regular file of UTF-8 (refused at the first bad byte, which
    /// decoding would silently turn into U+FFFD), with Windows line ends (CRLF) read as \n.
    static func taskSource(path: String) throws -> SourceText {
        let data: [UInt8]
        switch InventoryLoader.readFile(path, limit: 16 * 1_048_576) {
        case .success(let bytes): data = bytes
        case .failure(let problem): throw Diagnostic("cannot read the task file \(path): \(problem)")
        }
        if let bad = InventoryLoader.firstInvalidUTF8(data) {
            let before = String(decoding: data[..<bad], as: UTF8.self)
            let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
            let location = SourceLocation(file: path, line: lines.count - 1, column: lines.last?.count ?? 0)
            throw Diagnostic(.invalidUTF8(byte: bad + 1), at: location,
                             source: SourceText(path: path, text: String(decoding: data, as: UTF8.self)),
                             hint: "task files are UTF-8; re-save it as UTF-8")
        }
        var text = String(decoding: data, as: UTF8.self)
        // A Swift Character holds "\r\n" as one, which the lexer would not take for a line end.
        if text.utf8.contains(13) { text = text.replacingOccurrences(of: "\r\n", with: "\n") }
        return SourceText(path: path, text: text)
    }

    public subscript(name: String) -> TaskDefinition? { tasks[name] }

    /// Finds a task by full name, or by its short name when that is unambiguous.
    public func lookup(_ name: String) -> TaskDefinition? {
        if let task = tasks[name] { return task }
        let matches = order.filter { $0.hasSuffix("." + name) }
        return matches.count == 1 ? tasks[matches[0]] : nil
    }

    // MARK: checks

    private static func checkParams(_ decl: TaskDecl, source: SourceText) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var names = Set<String>(), shorts = Set<String>()
        for param in decl.params {
            if !names.insert(param.name).inserted {
                problems.append(Diagnostic("parameter \(param.name) is declared twice in \(decl.name)",
                                           at: param.location, source: source))
            }
            if let short = param.short, !shorts.insert(short).inserted {
                problems.append(Diagnostic("flag -\(short) is used by two parameters of \(decl.name)",
                                           at: param.location, source: source))
            }
            if ["l", "h"].contains(param.short) {
                problems.append(Diagnostic("-\(param.short!) is skp's own flag (list, help)",
                                           at: param.location, source: source))
            }
            if param.isFlag, param.required {
                problems.append(Diagnostic("a flag parameter cannot be required", at: param.location, source: source))
            }
        }
        return problems
    }

    private func resolve(_ hook: HookRef, from task: TaskDefinition, problems: inout [Diagnostic]) -> ResolvedHook? {
        let candidates = hook.task.contains(".") ? [hook.task] : [task.namespace + "." + hook.task, hook.task]
        guard let target = candidates.lazy.compactMap({ self.tasks[$0] }).first else {
            let hint = Suggest.closest(to: task.namespace + "." + hook.task, in: order).map { "did you mean \($0)?" }
            problems.append(Diagnostic("hook names no task '\(hook.task)'", at: hook.location, source: task.source,
                                       hint: hint, width: hook.task.count))
            return nil
        }
        for (name, _) in hook.arguments where target.param(named: name) == nil {
            problems.append(Diagnostic("task \(target.name) has no parameter '\(name)'", at: hook.location,
                                       source: task.source, hint: hookParamHint(target)))
        }
        // A shell parameter runs its text as code: a hook may pass it only text written in the
        // task, or a shell parameter of its own, never a value from an inventory.
        for (name, value) in hook.arguments where target.param(named: name)?.shellCode == true {
            let ok: Bool = switch value {
            case .string(let template): template.literalText != nil
            case .path(let parts, _): parts.count == 1 && task.param(named: parts[0])?.shellCode == true
            default: false
            }
            if !ok {
                problems.append(Diagnostic("\(name) of \(target.name) is shell code: a hook passes it only literal text or a shell parameter",
                                           at: value.location, source: task.source, hint: "declare the passed parameter shell too, or write the command in the hook"))
            }
        }
        return ResolvedHook(task: target.name, arguments: hook.arguments, location: hook.location)
    }

    private func hookParamHint(_ task: TaskDefinition) -> String {
        let names = task.decl.params.map(\.name)
        return names.isEmpty ? "it takes no parameters" : "its parameters: " + names.joined(separator: ", ")
    }

    /// The longest chain of hooks (a pre of a pre of …) accepted: planning follows it recursively.
    public static let maxHookChain = 200

    /// Reports each hook cycle once, as the whole cycle, at the hook that closes it, and a hook
    /// chain longer than `maxHookChain` tasks once, at the task that starts it.
    private func findCycles() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        // The longest hook chain starting at a task, the task included; set once it is explored.
        var height: [String: Int] = [:]
        var tooLong = false
        func refuseChain(from start: String) {
            tooLong = true
            let task = tasks[start]!
            problems.append(Diagnostic("hooks nested too deeply: a chain of pre/post hooks starting at \(start) is longer than \(Self.maxHookChain) tasks",
                                       at: task.decl.location, source: task.source, width: task.decl.name.count))
        }
        func visit(_ name: String, path: [String]) {
            if tooLong { return }
            if let start = path.firstIndex(of: name) {
                let cycle = path[start...] + [name]
                let from = tasks[path.last!]!
                let hook = (from.pre + from.post).first { $0.task == name }!
                problems.append(Diagnostic("hooks form a cycle: " + cycle.joined(separator: " -> "),
                                           at: hook.location, source: from.source))
                return
            }
            if let known = height[name] {
                if path.count + known > Self.maxHookChain { refuseChain(from: path[0]) }
                return
            }
            guard let task = tasks[name] else { return }
            // Stops the walk itself from recursing without bound.
            if path.count >= Self.maxHookChain { refuseChain(from: path[0]); return }
            var longest = 1
            for hook in task.pre + task.post {
                visit(hook.task, path: path + [name])
                longest = max(longest, 1 + (height[hook.task] ?? 0))
            }
            height[name] = longest
        }
        for name in order { visit(name, path: []) }
        return problems
    }
}
