/// Every `unless NAME(…)` and `require NAME(…) else …` names a check that exists, with as many
/// arguments as it has parameters: found when the task files load, with the place and a suggestion.
extension TaskLibrary {
    func checkUses(_ task: TaskDefinition) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        func walk(_ items: [Item]) {
            for item in items {
                switch item {
                case .stage(_, _, let body, _), .loop(_, _, _, let body, _): walk(body)
                case .condition(_, let then, let otherwise, _): walk(then); walk(otherwise)
                case .target, .hostSet: break
                case .step(let step):
                    guard case .named(let name, let arguments, let location)? = step.unless else { continue }
                    guard let check = checks[name]?.decl else {
                        let hint = Suggest.closest(to: name, in: Array(checks.keys)).map { "did you mean \($0)?" }
                            ?? "write one at the top level: check NAME(PARAM) \"command\""
                        problems.append(Diagnostic(.unknown(.check, name: name), at: location, source: task.source, hint: hint))
                        continue
                    }
                    if arguments.count != check.params.count {
                        let wanted = check.params.isEmpty ? "no arguments" : "\(check.params.count): " + check.params.joined(separator: ", ")
                        problems.append(Diagnostic("check \(name) takes \(wanted); \(arguments.count) given", at: location, source: task.source))
                    }
                }
            }
        }
        walk(task.decl.body)
        return problems
    }
}
