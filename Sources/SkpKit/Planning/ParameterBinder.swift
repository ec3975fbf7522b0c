/// Turns the arguments given for a task into its parameter values: defaults, environment
/// variables, prompts, required checks and `one-of` checks.
public struct ParameterBinder {
    public var environment: SkpEnvironment
    public var inventory: Inventory
    /// Asks the user for a value (secret prompts do not echo); nil when there is no terminal.
    public var prompt: (@Sendable (_ question: String, _ secret: Bool) -> String?)?

    public init(environment: SkpEnvironment, inventory: Inventory,
                prompt: (@Sendable (String, Bool) -> String?)? = nil) {
        self.environment = environment
        self.inventory = inventory
        self.prompt = prompt
    }

    public func bind(_ task: TaskDefinition, _ arguments: [String: String]) throws -> [String: Value] {
        var values: [String: Value] = [:]
        let scope = Scope(inventory: inventory, environment: environment, source: task.source)
        let evaluator = Evaluator(scope: scope)
        for param in task.decl.params {
            var text = arguments[param.name]
            if text == nil, let variable = param.environmentVariable { text = environment[variable] }
            if text == nil, let template = param.defaultValue {
                text = try evaluator.render(template, quoting: false).render(captures: [:])
            }
            if text == nil, param.prompt, let prompt {
                text = prompt("\(task.name) \(param.help ?? param.name): ", param.secret)
            }
            if text == nil, param.isFlag { text = "false" }
            guard let value = text else {
                if param.required {
                    var hint = "give it as --\(param.name)=VALUE"
                    if let short = param.short { hint += " or -\(short) VALUE" }
                    if let variable = param.environmentVariable { hint += ", or set \(variable)" }
                    throw Diagnostic("\(task.name) needs --\(param.name)", hint: hint)
                }
                values[param.name] = .string("")
                continue
            }
            if let oneOf = param.oneOf, !value.isEmpty {
                let names = try evaluator.list(try evaluator.evaluate(oneOf), at: param.location)
                    .map { try evaluator.text($0, at: param.location) }
                if !names.contains(value) {
                    let hint = Suggest.closest(to: value, in: names).map { "did you mean \($0)?" }
                        ?? (names.isEmpty ? "there are none in the inventory" : "one of: " + names.joined(separator: ", "))
                    throw Diagnostic("\(task.name): no such \(param.name) '\(value)'", hint: hint)
                }
            }
            values[param.name] = param.secret ? .secret(value) : .string(value)
        }
        return values
    }
}
