/// `${raw X}` puts text into a command unescaped, so it is allowed only for text that is shell by
/// declaration: the `opts` of a volume, network or image (the inventory's option lists), and a parameter
/// declared `shell` (`ssh.cmd -c`, a command the user typed). Anything else (a path, a host field,
/// a function's result, the environment) could carry `'`, `;` or `$(…)` into a root shell, so a
/// task file that writes it is refused when the library loads, before any inventory is read.
extension TaskLibrary {
    static func checkRaw(_ decl: TaskDecl, source: SourceText) -> [Diagnostic] {
        var check = RawCheck(source: source, shellParams: Set(decl.params.filter(\.shellCode).map(\.name)))
        for param in decl.params {
            if let template = param.defaultValue {
                check.template(template)
                if param.shellCode, template.literalText == nil {
                    check.problems.append(Diagnostic("the default of shell parameter \(param.name) cannot hold ${…}", at: template.location,
                                                     source: source, hint: "a shell parameter's default is shell text written as it is"))
                }
            }
            if param.shellCode, param.secret {
                check.problems.append(Diagnostic("parameter \(param.name) cannot be both shell and secret", at: param.location, source: source,
                                                 hint: "a secret reaches the command as a variable's value, never as code"))
            }
        }
        check.items(decl.body)
        return check.problems
    }

    /// A named check's command: its parameters are values, never shell code, so no raw at all.
    static func checkRaw(_ decl: CheckDecl, source: SourceText) -> [Diagnostic] {
        var check = RawCheck(source: source, shellParams: [])
        check.template(decl.command)
        return check.problems
    }
}

private struct RawCheck {
    let source: SourceText
    let shellParams: Set<String>
    var problems: [Diagnostic] = []
    /// Loop variables in scope: true when the loop walks volumes or networks.
    var loops: [String: Bool] = [:]

    init(source: SourceText, shellParams: Set<String>) {
        self.source = source
        self.shellParams = shellParams
    }

    mutating func items(_ items: [Item]) {
        for item in items {
            switch item {
            case .stage(let selector, _, let body, _):
                self.selector(selector)
                self.items(body)
            case .target(let selector, _, _), .hostSet(_, let selector, _):
                self.selector(selector)
            case .loop(let variable, let collection, let filter, let body, _):
                expr(collection)
                let saved = loops
                loops[variable] = Self.walksOptions(collection)
                if let filter { expr(filter) }
                self.items(body)
                loops = saved
            case .condition(let test, let then, let otherwise, _):
                expr(test)
                self.items(then)
                self.items(otherwise)
            case .step(let step):
                action(step.action)
                switch step.unless {
                case .command(let t)?: template(t)
                case .named(_, let arguments, _)?: arguments.forEach { expr($0) }
                case nil: break
                }
                if let retry = step.retry { expr(retry.attempts); retry.delay.map { expr($0) } }
            }
        }
    }

    mutating func action(_ action: Step.Action) {
        switch action {
        case .run(let t), .show(let t), .attach(let t), .sudo(let t), .local(let t), .echo(let t), .fail(let t): template(t)
        case .capture(_, let inner): self.action(inner.value)
        case .upload(let content, let path, _): template(content); template(path)
        case .download(let remote, let local): template(remote); template(local)
        case .until(let t, let every, let timeout): template(t); [every, timeout].compactMap { $0 }.forEach { expr($0) }
        }
    }

    mutating func selector(_ selector: Selector) {
        switch selector {
        case .union(let parts), .intersection(let parts): parts.forEach { self.selector($0) }
        case .exclusion(let inner), .one(let inner): self.selector(inner)
        case .expression(let e, _): expr(e)
        default: break
        }
    }

    mutating func expr(_ expr: Expr) {
        switch expr {
        case .string(let t): template(t)
        case .number, .path: break
        case .call(_, let args, _): args.forEach { self.expr($0) }
        case .equals(let a, let b), .notEquals(let a, let b), .and(let a, let b), .or(let a, let b), .contains(let a, let b):
            self.expr(a)
            self.expr(b)
        case .not(let a): self.expr(a)
        }
    }

    mutating func template(_ template: Template) {
        for case .value(let value, let raw, let location) in template.segments {
            self.expr(value)
            guard raw, !allowed(value) else { continue }
            problems.append(Diagnostic("${raw …} takes an option list or shell code, and \(Self.describe(value)) is neither", at: location,
                                       source: source, hint: "write ${\(Self.describe(value))}: skp escapes it for its place in the command. "
                                           + "raw is for the opts of a volume or network (${raw v.opts}) and for a parameter declared shell "
                                           + "(param command -c shell)"))
        }
    }

    /// `v.opts` of a loop over volumes or networks, or a `shell` parameter not hidden by a loop variable.
    private func allowed(_ value: Expr) -> Bool {
        guard case .path(let parts, _) = value else { return false }
        if parts.count == 2, parts[1] == "opts", loops[parts[0]] == true { return true }
        return parts.count == 1 && shellParams.contains(parts[0]) && loops[parts[0]] == nil
    }

    /// `volumes`, `networks`, `images`, `host.volumes`, `h.volumes`: collections whose items have
    /// `opts` (docker volume / network create, docker build options).
    private static func walksOptions(_ collection: Expr) -> Bool {
        guard case .path(let parts, _) = collection, let last = parts.last else { return false }
        return last == "volumes" || ((last == "networks" || last == "images") && parts.count == 1)
    }

    private static func describe(_ expr: Expr) -> String {
        switch expr {
        case .path(let parts, _): parts.joined(separator: ".")
        case .call(let name, _, _): name + "(…)"
        default: "this value"
        }
    }
}
