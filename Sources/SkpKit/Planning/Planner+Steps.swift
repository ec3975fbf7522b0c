import Foundation

/// One host's items of a stage become planned steps: loops and conditions expanded, commands
/// rendered, named checks bound.
extension Planner {
    // MARK: per-host items

    func expand(_ item: Item, scope: inout Scope, into steps: inout [PlannedStep]) throws {
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

    func planStep(_ step: Step, scope: inout Scope) throws -> PlannedStep {
        let evaluator = Evaluator(scope: scope)
        let unless = try step.unless.map { try renderCheck($0, scope: scope) }
        let kind = try plannedKind(step.action, step: step, scope: &scope)
        var retry: PlannedStep.Retry?
        if let given = step.retry {
            let attempts = try Self.number(given.attempts, evaluator, in: 1...100, what: "retry", source: scope.source)
            let delay = try given.delay.map { try Self.number($0, evaluator, in: 0...3600, what: "delay", source: scope.source) } ?? 1
            // One attempt in all is no retry: the step plans, shows and keys as it always did.
            retry = attempts == 1 ? nil : PlannedStep.Retry(attempts: Int(attempts), delay: delay)
            if Double(Int(attempts)) != attempts {
                throw Diagnostic("retry takes a whole number of attempts", at: given.attempts.location, source: scope.source)
            }
        }
        return PlannedStep(kind: kind, unless: unless, retry: retry, location: step.location)
    }

    /// A number a step is written with (`retry 3`, `every 0.5`, `timeout ${wait}`), range-checked.
    static func number(_ expr: Expr, _ evaluator: Evaluator, in range: ClosedRange<Double>, what: String,
                       source: SourceText) throws -> Double {
        let text = try evaluator.text(evaluator.evaluate(expr), at: expr.location)
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite, range.contains(value) else {
            let plain = { (x: Double) in x == x.rounded() ? String(Int(x)) : String(x) }
            throw Diagnostic(.outOfRange(what: what, given: Printable.excerpt(text), low: plain(range.lowerBound), high: plain(range.upperBound),
                                         unit: "a number"),
                             at: expr.location, source: source)
        }
        return value
    }

    /// A check's command: written in place, or a named check's command with its parameters bound
    /// to the arguments (evaluated where the check is used: secrecy travels with them).
    func renderCheck(_ use: CheckUse, scope: Scope) throws -> Command {
        switch use {
        case .command(let template):
            return try Evaluator(scope: scope).render(template, quoting: true)
        case .named(let name, let arguments, _):
            // TaskLibrary has checked that the check exists and the arguments fit.
            guard let (check, source) = library.checks[name] else { throw Diagnostic(.unknown(.check, name: name)) }
            let evaluator = Evaluator(scope: scope)
            let values = try arguments.map { try evaluator.evaluate($0) }
            let render = {
                var inner = Scope(inventory: scope.inventory, environment: scope.environment, source: source)
                inner.host = scope.host
                for (param, value) in zip(check.params, values) { inner.variables[param] = value }
                return try Evaluator(scope: inner).render(check.command, quoting: true)
            }
            guard checkCache.isPure(name, check) else { return try render() }
            return try checkCache.command(name, arguments: values, render: render)
        }
    }

    func plannedKind(_ action: Step.Action, step: Step, scope: inout Scope) throws -> PlannedStep.Kind {
        let evaluator = Evaluator(scope: scope)
        switch action {
        case .run(let template):
            return .run(try evaluator.render(template, quoting: true))
        case .sudo(let template):
            let command = try evaluator.render(template, quoting: true)
            let user = scope.host.flatMap { inventory.hosts[$0].user } ?? defaultUser
            // root needs no sudo; anyone else gets sudo around a shell: with the become password
            // on its stdin when there is one, else a non-interactive sudo.
            if user == "root" { return .run(command) }
            if let password = try becomePassword(host: scope.host) {
                let name = scope.host.map { inventory.hosts[$0].name } ?? "local"
                return .run(Command([.become(command, password: password, host: name)]))
            }
            return .run(Command([.literal("sudo -n sh -c "), .nested(command)]))
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
        case .download(let remote, let local):
            return try plannedDownload(remote: remote, local: local, scope: scope)
        case .echo(let template):
            return .echo(try evaluator.render(template, quoting: false))
        case .fail(let template):
            return .fail(try evaluator.render(template, quoting: false))
        case .until(let template, let every, let timeout):
            let interval = try every.map { try Self.number($0, evaluator, in: 0.1...3600, what: "every", source: scope.source) } ?? 1
            let limit = try timeout.map { try Self.number($0, evaluator, in: 1...86400, what: "timeout", source: scope.source) } ?? 60
            return .until(try evaluator.render(template, quoting: true), every: interval, timeout: limit)
        }
    }

    /// The host's own `become_password` (a secret by its name; checked when hosts.json loads),
    /// else the run's.
    func becomePassword(host: Int?) throws -> Secret? {
        if let host, let own = inventory.hosts[host].fields["become_password"]?.secret { return own }
        return try become?.value()
    }
}
