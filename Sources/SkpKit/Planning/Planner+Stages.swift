import Foundation

/// A task body becomes stages: `on` blocks and targets, loops and conditions that open stages,
/// then each stage's hosts with their steps.
extension Planner {
    // MARK: stages

    struct TaskState {
        var target: Selector
        /// The target's `serial`, as written (nil: none; `--serial` may then apply).
        var serial: HostCount?
        /// `--limit`, unless the task takes it as a parameter (`param … limit`).
        var limit: HostSet?
        /// Per-host items waiting for the next stage boundary, with the scope they were written in.
        var pending: [(Item, Scope)] = []
        var stages: [Stage] = []
    }

    func planItems(_ items: [Item], scope: inout Scope, state: inout TaskState) throws {
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

    func resolver(for scope: Scope) -> SelectorResolver {
        var resolver = SelectorResolver(inventory: inventory, source: scope.source)
        resolver.bindings = scope.bindings
        let evaluator = Evaluator(scope: scope)
        resolver.evaluate = { expr in try evaluator.hostSet(evaluator.evaluate(expr), at: expr.location) }
        return resolver
    }

    /// Turns the pending per-host items into a stage on the current target.
    func flush(_ state: inout TaskState, scope: Scope) throws {
        guard !state.pending.isEmpty else { return }
        let items = state.pending
        state.pending = []
        var scope = scope
        try addStage(state.target, serial: state.serial, items: items, scope: &scope, state: &state)
    }

    func addStage(_ selector: Selector, serial: HostCount?, items: [(Item, Scope)],
                  scope: inout Scope, state: inout TaskState) throws {
        let set = try resolver(for: scope).resolve(selector)
        // A stage's own `serial` wins; `--serial` covers the stages that have none.
        var stage = Stage(target: selector.description, serial: serial ?? defaultSerial, hosts: [])
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
}
