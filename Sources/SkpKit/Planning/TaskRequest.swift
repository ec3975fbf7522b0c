/// A task to run with the arguments given for it, on the command line or by a hook.
public struct TaskRequest: Sendable {
    public var task: String
    /// Parameter name → value as written.
    public var arguments: [String: String]

    public init(task: String, arguments: [String: String] = [:]) {
        self.task = task
        self.arguments = arguments
    }
}
