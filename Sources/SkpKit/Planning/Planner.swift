/// Expands task requests into a `Plan`: hooks scheduled once each, loops and conditions
/// evaluated, selectors resolved, every command interpolated. Touches no host.
public struct Planner {
    public var library: TaskLibrary
    public var inventory: Inventory
    public var environment: SkpEnvironment
    /// `--limit`: narrows the hosts that steps change.
    public var limit: HostSet?
    /// The SSH user for hosts without their own (`--user`, `$SKP_USER`); decides whether
    /// `sudo` steps need `sudo`.
    public var defaultUser: String
    public var prompt: (@Sendable (String, Bool) -> String?)?

    public init(library: TaskLibrary, inventory: Inventory, environment: SkpEnvironment,
                limit: HostSet? = nil, defaultUser: String? = nil) {
        self.library = library
        self.inventory = inventory
        self.environment = environment
        self.limit = limit
        self.defaultUser = defaultUser ?? environment["SKP_USER"] ?? "root"
    }

    public func plan(_ requests: [TaskRequest]) throws -> Plan {
        var state = Schedule()
        for request in requests { try schedule(request, reason: nil, limit: limit, into: &state) }
        return Plan(tasks: state.tasks, inventory: inventory)
    }

    // MARK: hooks

    private struct Schedule {
        var tasks: [PlannedTask] = []
        /// (task, arguments) already planned: Invoke's rule, each runs once per invocation.
        var seen = Set<String>()
    }

    private func schedule(_ request: TaskRequest, reason: String?, limit: HostSet?, into state: inout Schedule) throws {
        guard let task = library[request.task] else {
            throw Diagnostic("no task named \(request.task)")
        }
        var request = request, limit = limit
        if let given = limit, let param = task.decl.params.first(where: \.fromLimit) {
            // The limit names the host the task acts on; its steps run where the task says.
            if request.arguments[param.name] == nil {
                let names = given.hosts(in: inventory).map(\.name)
                guard names.count == 1 else {
                    throw Diagnostic("\(task.name) acts on one host at a time, and --limit names \(names.count) (\(names.prefix(5).joined(separator: ", "))\(names.count > 5 ? ", …" : ""))",
                                     hint: "give one host: --limit NAME")
                }
                request.arguments[param.name] = names[0]
            }
            limit = nil
        }
        var binder = ParameterBinder(environment: environment, inventory: inventory)
        binder.prompt = prompt
        let values = try binder.bind(task, request.arguments, secret: request.secretArguments)
        let key = task.name + "\u{0}" + values.keys.sorted().map { "\($0)=\(Self.text(values[$0]!))" }.joined(separator: "\u{0}")
        guard state.seen.insert(key).inserted else { return }

        var scope = Scope(inventory: inventory, environment: environment, source: task.source)
        scope.params = values
        for hook in task.pre {
            try schedule(try hookRequest(hook, scope: scope), reason: "pre of \(task.name)", limit: limit, into: &state)
        }
        let arguments = task.decl.params.map { param in
            PlannedTask.Argument(name: param.name, value: Self.text(values[param.name] ?? .null),
                                 secret: values[param.name]?.holdsSecret ?? param.secret)
        }
        var planned = PlannedTask(name: task.name, arguments: arguments, reason: reason, stages: [])
        var taskState = TaskState(target: .all, serial: false, limit: limit)
        try planItems(task.decl.body, scope: &scope, state: &taskState)
        try flush(&taskState, scope: scope)
        planned.stages = taskState.stages
        state.tasks.append(planned)
        for hook in task.post {
            try schedule(try hookRequest(hook, scope: scope), reason: "post of \(task.name)", limit: limit, into: &state)
        }
    }

    private func hookRequest(_ hook: ResolvedHook, scope: Scope) throws -> TaskRequest {
        let evaluator = Evaluator(scope: scope)
        var request = TaskRequest(task: hook.task)
        for (name, expr) in hook.arguments {
            let value = try evaluator.evaluate(expr)
            request.arguments[name] = try evaluator.text(value, at: expr.location)
            if value.holdsSecret { request.secretArguments.insert(name) }
        }
        return request
    }

    static func text(_ value: Value) -> String {
        switch value {
        case .string(let s), .secret(let s): s
        default: ""
        }
    }

    // MARK: stages

    private struct TaskState {
        var target: Selector
        var serial: Bool
        /// `--limit`, unless the task takes it as a parameter (`param … limit`).
        var limit: HostSet?
        /// Per-host items waiting for the next stage boundary, with the scope they were written in.
        var pending: [(Item, Scope)] = []
        var stages: [Stage] = []
    }

    private func planItems(_ items: [Item], scope: inout Scope, state: inout TaskState) throws {
        for item in items {
            guard item.opensStages else {
                state.pending.append((item, scope))
                continue
            }
            switch item {
            case .stage(let selector, let serial, let body, _):
                try flush(&state, scope: scope)
                try addStage(selector, serial: serial, items: body.map { ($0, scope) }, scope: &scope, state: &state)
            case .target(let selector, let serial, _):
                try flush(&state, scope: scope)
                state.target = selector
                state.serial = serial
            case .hostSet(let name, let selector, _):
                scope.bindings[name] = try resolver(for: scope).resolve(selector)
            case .loop(let variable, let collection, let filter, let body, _):
                let evaluator = Evaluator(scope: scope)
                for element in try evaluator.list(evaluator.evaluate(collection), at: collection.location) {
                    var inner = scope
                    inner.variables[variable] = element
                    if let filter, try !Evaluator(scope: inner).truth(Evaluator(scope: inner).evaluate(filter)) { continue }
                    try planItems(body, scope: &inner, state: &state)
                    scope.captures = inner.captures
                }
            case .condition(let condition, let then, let otherwise, _):
                let evaluator = Evaluator(scope: scope)
                try planItems(try evaluator.truth(evaluator.evaluate(condition)) ? then : otherwise,
                              scope: &scope, state: &state)
            case .step:
                break
            }
        }
    }

    private func resolver(for scope: Scope) -> SelectorResolver {
        var resolver = SelectorResolver(inventory: inventory, source: scope.source)
        resolver.bindings = scope.bindings
        let evaluator = Evaluator(scope: scope)
        resolver.evaluate = { expr in try evaluator.hostSet(evaluator.evaluate(expr), at: expr.location) }
        return resolver
    }

    /// Turns the pending per-host items into a stage on the current target.
    private func flush(_ state: inout TaskState, scope: Scope) throws {
        guard !state.pending.isEmpty else { return }
        let items = state.pending
        state.pending = []
        var scope = scope
        try addStage(state.target, serial: state.serial, items: items, scope: &scope, state: &state)
    }

    private func addStage(_ selector: Selector, serial: Bool, items: [(Item, Scope)],
                          scope: inout Scope, state: inout TaskState) throws {
        let set = try resolver(for: scope).resolve(selector)
        var stage = Stage(target: selector.description, serial: serial, hosts: [])
        var captured: [String: [String]] = [:]
        let targets: [Int?] = set.isLocal ? [nil] : set.indexes.map { $0 }
        for index in targets {
            var steps: [PlannedStep] = []
            var hostCaptures = scope.captures
            for (item, itemScope) in items {
                var inner = itemScope
                inner.host = index
                inner.captures = hostCaptures
                try expand(item, scope: &inner, into: &steps)
                hostCaptures = inner.captures
            }
            let name = index.map { inventory.hosts[$0].name } ?? "local"
            for step in steps {
                if case .capture(let capture, _, _) = step.kind { captured[capture, default: []].append(name) }
            }
            if !steps.isEmpty { stage.hosts.append(HostPlan(host: index, name: name, steps: steps)) }
        }
        // Later stages see each host's value: ${name} from the one host that captured it,
        // or h.name for a given host when several did.
        for (name, hosts) in captured { scope.captures[name] = hosts }
        // --limit narrows what changes hosts; stages that only read values (captures) still run.
        if let limit = state.limit, stage.hosts.contains(where: { $0.steps.contains(where: \.changesHost) }) {
            let allowed = Set(limit.indexes)
            stage.hosts.removeAll { plan in plan.host.map { !allowed.contains($0) } ?? false }
        }
        // An attached terminal is one host's: several would fight over the keyboard.
        if stage.hosts.count > 1, let attach = stage.hosts.lazy.flatMap(\.steps).first(where: { if case .attach = $0.kind { true } else { false } }) {
            throw Diagnostic("attach needs exactly one host, and \(stage.hosts.count) would run it (\(stage.hosts.map(\.name).joined(separator: ", ")))",
                             at: attach.location, source: scope.source, hint: "name one with --limit HOST")
        }
        if !stage.hosts.isEmpty { state.stages.append(stage) }
    }

    // MARK: per-host items

    private func expand(_ item: Item, scope: inout Scope, into steps: inout [PlannedStep]) throws {
        let evaluator = Evaluator(scope: scope)
        switch item {
        case .step(let step):
            steps.append(try planStep(step, scope: &scope))
        case .loop(let variable, let collection, let filter, let body, _):
            for element in try evaluator.list(evaluator.evaluate(collection), at: collection.location) {
                var inner = scope
                inner.variables[variable] = element
                if let filter, try !Evaluator(scope: inner).truth(Evaluator(scope: inner).evaluate(filter)) { continue }
                for child in body { try expand(child, scope: &inner, into: &steps) }
                scope.captures = inner.captures
            }
        case .condition(let condition, let then, let otherwise, _):
            for child in try evaluator.truth(evaluator.evaluate(condition)) ? then : otherwise {
                try expand(child, scope: &scope, into: &steps)
            }
        case .stage(_, _, _, let location), .target(_, _, let location), .hostSet(_, _, let location):
            throw Diagnostic("'on' and 'let' cannot be used inside a block that already runs on hosts",
                             at: location, source: scope.source,
                             hint: "close the enclosing on { … } first; stages follow one another")
        }
    }

    private func planStep(_ step: Step, scope: inout Scope) throws -> PlannedStep {
        let evaluator = Evaluator(scope: scope)
        let unless = try step.unless.map { try renderCheck($0, scope: scope) }
        let kind = try plannedKind(step.action, step: step, scope: &scope)
        return PlannedStep(kind: kind, unless: unless, location: step.location)
    }

    /// A check's command: written in place, or a named check's command with its parameters bound
    /// to the arguments (evaluated where the check is used: secrecy travels with them).
    private func renderCheck(_ use: CheckUse, scope: Scope) throws -> Command {
        switch use {
        case .command(let template):
            return try Evaluator(scope: scope).render(template, quoting: true)
        case .named(let name, let arguments, _):
            // TaskLibrary has checked that the check exists and the arguments fit.
            guard let (check, source) = library.checks[name] else { throw Diagnostic("no check named \(name)") }
            let evaluator = Evaluator(scope: scope)
            var inner = Scope(inventory: scope.inventory, environment: scope.environment, source: source)
            inner.host = scope.host
            for (param, argument) in zip(check.params, arguments) { inner.variables[param] = try evaluator.evaluate(argument) }
            return try Evaluator(scope: inner).render(check.command, quoting: true)
        }
    }

    private func plannedKind(_ action: Step.Action, step: Step, scope: inout Scope) throws -> PlannedStep.Kind {
        let evaluator = Evaluator(scope: scope)
        switch action {
        case .run(let template):
            return .run(try evaluator.render(template, quoting: true))
        case .sudo(let template):
            let command = try evaluator.render(template, quoting: true)
            let user = scope.host.flatMap { inventory.hosts[$0].user } ?? defaultUser
            // root needs no sudo; anyone else gets a non-interactive sudo around a shell.
            return .run(user == "root" ? command : Command([.literal("sudo -n sh -c "), .nested(command)]))
        case .local(let template):
            return .local(try evaluator.render(template, quoting: true))
        case .show(let template):
            return .show(try evaluator.render(template, quoting: true))
        case .attach(let template):
            let command = try evaluator.render(template, quoting: true)
            // The terminal is the user's: no stdin is left to carry secrets or captured values.
            guard command.secrets.isEmpty, command.capturedNames.isEmpty, scope.host != nil else {
                throw Diagnostic(scope.host == nil ? "attach runs on a host, not on this machine" : "an attach command cannot hold secrets or captured values",
                                 at: step.location, source: scope.source)
            }
            return .attach(command)
        case .capture(let name, let inner):
            let planned = try plannedKind(inner.value, step: step, scope: &scope)
            let here = scope.host.map { inventory.hosts[$0].name } ?? "local"
            if !(scope.captures[name]?.contains(here) ?? false) { scope.captures[name, default: []].append(here) }
            switch planned {
            case .run(let command): return .capture(name: name, command, local: scope.host == nil)
            case .local(let command): return .capture(name: name, command, local: true)
            default: fatalError("capture holds a command")
            }
        case .upload(let content, let path, let mode):
            let destination = try evaluator.render(path, quoting: false)
            guard destination.secrets.isEmpty, destination.capturedNames.isEmpty else {
                throw Diagnostic("an upload path cannot hold secrets or captured values", at: path.location, source: scope.source)
            }
            return .upload(content: try evaluator.render(content, quoting: false),
                           path: destination.render(captures: [:]), mode: mode)
        case .echo(let template):
            return .echo(try evaluator.render(template, quoting: false))
        case .fail(let template):
            return .fail(try evaluator.render(template, quoting: false))
        }
    }
}
