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

    /// `secret` names arguments that are secrets whatever the parameter says (a hook passed one).
    public func bind(_ task: TaskDefinition, _ arguments: [String: String], secret: Set<String> = []) throws -> [String: Value] {
        var values: [String: Value] = [:]
        let scope = Scope(inventory: inventory, environment: environment, source: task.source)
        let evaluator = Evaluator(scope: scope)
        for param in task.decl.params {
            var text = arguments[param.name]
            var isSecret = param.secret || secret.contains(param.name)
            if text == nil, let variable = param.environmentVariable, let fromEnvironment = environment[variable] {
                text = fromEnvironment
                if SecretName.matches(variable) { isSecret = true }
            }
            if text == nil, let template = param.defaultValue {
                let command = try evaluator.render(template, quoting: false)
                if !command.secrets.isEmpty { isSecret = true }
                text = command.render(captures: [:])
            }
            if text == nil, param.prompt, let prompt {
                text = prompt("\(task.name) \(param.help ?? param.name): ", param.secret)
            }
            if text == nil, param.isFlag { text = "false" }
            // An on/off value from $VAR or a hook means what it says ("no" and "0" are off).
            if let given = text, param.isFlag, !given.isEmpty {
                text = try Self.boolean(given, flag: "--\(param.name) of \(task.name)") ? "true" : "false"
            }
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
                    // A secret is not echoed, nor a guess close to it.
                    let hint = (isSecret ? nil : Suggest.closest(to: value, in: names).map { "did you mean \($0)?" })
                        ?? (names.isEmpty ? "there are none in the inventory" : "one of: " + names.joined(separator: ", "))
                    let shown = isSecret ? "(the secret value given)" : "'\(Printable.excerpt(value))'"
                    throw Diagnostic("\(task.name): no such \(param.name) \(shown)", hint: hint)
                }
            }
            values[param.name] = isSecret ? .secret(Secret(value)) : .string(value)
        }
        return values
    }

    /// The value of an on/off flag written `--flag=VALUE`: true/false, yes/no, on/off or 1/0, in
    /// any case; anything else is refused rather than read as "on".
    static func boolean(_ text: String, flag: String) throws -> Bool {
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default:
            throw Diagnostic("\(flag) takes true or false (or yes/no, on/off, 1/0), not '\(text)'",
                             hint: "write \(flag) alone to turn it on")
        }
    }
}
