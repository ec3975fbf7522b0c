/// Named checks rendered once per argument list. `docker.volume-create` on 1,000 hosts asks
/// `volume-exists(v.name)` 100,000 times for 100 names; a check whose command mentions nothing
/// but its own parameters renders to the same command each time, so it is rendered once.
/// Only plain arguments (strings, secrets, options, booleans) make a key: secrecy is kept
/// because the cached command is the one rendered from those very values.
final class CheckRenderCache {
    private var commands: [String: Command] = [:]
    private var pure: [String: Bool] = [:]

    /// Whether the check named `name` depends on nothing but its parameters.
    func isPure(_ name: String, _ decl: CheckDecl) -> Bool {
        if let known = pure[name] { return known }
        var mentioned = Set<String>()
        for case .value(let expr, _, _) in decl.command.segments { Self.names(in: expr, into: &mentioned) }
        let result = mentioned.isSubset(of: Set(decl.params))
        pure[name] = result
        return result
    }

    func command(_ name: String, arguments: [Value], render: () throws -> Command) rethrows -> Command {
        guard let key = Self.key(name, arguments) else { return try render() }
        if let known = commands[key] { return known }
        let command = try render()
        commands[key] = command
        return command
    }

    private static func key(_ name: String, _ arguments: [Value]) -> String? {
        var key = name
        for argument in arguments {
            switch argument {
            case .string(let text): key += "\u{0}s" + text
            case .secret(let secret): key += "\u{0}x" + secret.revealed
            case .option(let text): key += "\u{0}o" + text
            case .bool(let flag): key += flag ? "\u{0}t" : "\u{0}f"
            case .null: key += "\u{0}n"
            default: return nil
            }
        }
        return key
    }

    /// Every name an expression reads (each part of a path, each function called): a check that
    /// reads `host` or calls a function is not cached.
    private static func names(in expr: Expr, into names: inout Set<String>) {
        switch expr {
        case .string(let template):
            for case .value(let inner, _, _) in template.segments { self.names(in: inner, into: &names) }
        case .number: break
        case .path(let parts, _): names.formUnion(parts)
        case .call(let name, let args, _):
            names.insert(name)
            for arg in args { self.names(in: arg, into: &names) }
        case .equals(let a, let b), .notEquals(let a, let b), .and(let a, let b), .or(let a, let b), .contains(let a, let b):
            self.names(in: a, into: &names)
            self.names(in: b, into: &names)
        case .not(let a): self.names(in: a, into: &names)
        }
    }
}
