/// Which inventory files a run needs: hosts always; volumes, networks, images and services only
/// when a task it plans (or a hook of one, or a check one uses) names them. A task that touches
/// no volume is not stopped by a volumes.json written for other hosts (`ssh.cmd --hosts other.json`),
/// while docker.volume-create still fails on a broken one.
extension TaskLibrary {
    public static let optionalInventories: Set<String> = ["volumes", "networks", "images", "services"]

    public func inventoriesNeeded(by requests: [String]) -> Set<String> {
        var needed = Set<String>()
        var seen = Set<String>()
        var pending = requests
        while let name = pending.popLast() {
            guard seen.insert(name).inserted, let task = self[name] ?? lookup(name) else { continue }
            var walker = NameWalker()
            for param in task.decl.params {
                if let oneOf = param.oneOf { walker.expr(oneOf) }
                if let template = param.defaultValue { walker.template(template) }
            }
            walker.items(task.decl.body)
            for hook in task.pre + task.post {
                pending.append(hook.task)
                hook.arguments.forEach { walker.expr($0.value) }
            }
            for check in walker.checks { if let decl = checks[check]?.decl { walker.template(decl.command) } }
            needed.formUnion(walker.names.intersection(Self.optionalInventories))
        }
        // A service refers to images, volumes and networks: its checks need them all.
        if needed.contains("services") { needed.formUnion(["images", "volumes", "networks"]) }
        return needed
    }
}

/// Every name a task body mentions (path parts, function names), and the named checks it uses.
private struct NameWalker {
    var names = Set<String>()
    var checks = Set<String>()

    mutating func items(_ items: [Item]) {
        for item in items {
            switch item {
            case .stage(let selector, _, let body, _): self.selector(selector); self.items(body)
            case .target(let selector, _, _), .hostSet(_, let selector, _): self.selector(selector)
            case .loop(_, let collection, let filter, let body, _):
                expr(collection)
                if let filter { expr(filter) }
                self.items(body)
            case .condition(let test, let then, let otherwise, _): expr(test); self.items(then); self.items(otherwise)
            case .step(let step):
                action(step.action)
                switch step.unless {
                case .command(let t)?: template(t)
                case .named(let name, let arguments, _)?: checks.insert(name); arguments.forEach { expr($0) }
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
        case .number: break
        case .path(let parts, _): names.formUnion(parts)
        case .call(let name, let args, _): names.insert(name); args.forEach { self.expr($0) }
        case .equals(let a, let b), .notEquals(let a, let b), .and(let a, let b), .or(let a, let b), .contains(let a, let b):
            self.expr(a)
            self.expr(b)
        case .not(let a): self.expr(a)
        }
    }

    mutating func template(_ template: Template) {
        for case .value(let value, _, _) in template.segments { expr(value) }
    }
}
