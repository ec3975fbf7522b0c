/// A task after resolution: its full name and its hooks linked to the tasks they name.
public struct TaskDefinition: Sendable {
    public var namespace: String
    public var decl: TaskDecl
    public var source: SourceText
    public var pre: [ResolvedHook]
    public var post: [ResolvedHook]

    public var name: String { namespace + "." + decl.name }
    public var help: String { decl.help ?? "" }

    public func param(named name: String) -> ParamDecl? { decl.params.first { $0.name == name } }
    public func param(short: String) -> ParamDecl? { decl.params.first { $0.short == short } }
}

public struct ResolvedHook: Sendable {
    /// Full name of the hooked task.
    public var task: String
    public var arguments: [(name: String, value: Expr)]
    public var location: SourceLocation
}
