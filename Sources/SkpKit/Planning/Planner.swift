/// Expands task requests into a `Plan`: hooks scheduled once each, loops and conditions
/// evaluated, selectors resolved, every command interpolated. Touches no host.
public struct Planner {
    public var library: TaskLibrary
    public var inventory: Inventory
    public var environment: SkpEnvironment
    /// `--limit`: narrows the hosts that steps change.
    public var limit: HostSet?
    /// `--serial N|N%`: the batch size of every stage that has no `serial` of its own.
    public var defaultSerial: HostCount?
    /// The SSH user for hosts without their own (`--user`, `$SKP_USER`); decides whether
    /// `sudo` steps need `sudo`.
    public var defaultUser: String
    public var prompt: (@Sendable (String, Bool) -> String?)?
    /// The run's become password for `sudo` steps (`-K`, `$SKP_BECOME_PASSWORD`); nil: none.
    public var become: BecomePassword?
    let checkCache = CheckRenderCache()

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

    struct Schedule {
        var tasks: [PlannedTask] = []
        /// (task, arguments) already planned: Invoke's rule, each runs once per invocation.
        var seen = Set<String>()
    }

    func schedule(_ request: TaskRequest, reason: String?, limit: HostSet?, into state: inout Schedule) throws {
        guard let task = library[request.task] else {
            throw Diagnostic(.unknown(.task, name: request.task))
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
        let key = task.name + "\u{0}" + values.keys.sorted().map { "\($0)=\(Self.keyText(values[$0]!))" }.joined(separator: "\u{0}")
        guard state.seen.insert(key).inserted else { return }

        var scope = Scope(inventory: inventory, environment: environment, source: task.source)
        scope.params = values
        for hook in task.pre {
            try schedule(try hookRequest(hook, scope: scope), reason: "pre of \(task.name)", limit: limit, into: &state)
        }
        let arguments = task.decl.params.map { param in
            let value = values[param.name] ?? .null
            // A parameter declared secret stays one even when nothing was given.
            let secret = value.holdsSecret || param.secret
            return PlannedTask.Argument(name: param.name, value: secret ? "" : Self.keyText(value),
                                        secretValue: secret ? Secret(Self.keyText(value)) : nil)
        }
        var planned = PlannedTask(name: task.name, arguments: arguments, reason: reason, stages: [])
        var taskState = TaskState(target: .all, serial: nil, limit: limit)
        try planItems(task.decl.body, scope: &scope, state: &taskState)
        try flush(&taskState, scope: scope)
        planned.stages = taskState.stages
        state.tasks.append(planned)
        for hook in task.post {
            try schedule(try hookRequest(hook, scope: scope), reason: "post of \(task.name)", limit: limit, into: &state)
        }
    }

    func hookRequest(_ hook: ResolvedHook, scope: Scope) throws -> TaskRequest {
        let evaluator = Evaluator(scope: scope)
        var request = TaskRequest(task: hook.task)
        for (name, expr) in hook.arguments {
            let value = try evaluator.evaluate(expr)
            request.arguments[name] = try evaluator.text(value, at: expr.location)
            if value.holdsSecret { request.secretArguments.insert(name) }
        }
        return request
    }

    /// A bound parameter's text: to tell two requests of a task apart, and to keep it in the plan.
    static func keyText(_ value: Value) -> String {
        switch value {
        case .string(let s): s
        case .secret(let s): s.revealed
        default: ""
        }
    }
}
