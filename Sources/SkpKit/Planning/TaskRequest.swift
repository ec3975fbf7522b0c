/// A task to run with the arguments given for it, on the command line or by a hook.
public struct TaskRequest: Sendable {
    public var task: String
    /// Parameter name → value as written.
    public var arguments: [String: String]
    /// Arguments whose values are secrets however the parameter is declared (a hook passed it a
    /// secret): secrecy travels with the value.
    public var secretArguments: Set<String> = []

    public init(task: String, arguments: [String: String] = [:], secretArguments: Set<String> = []) {
        self.task = task
        self.arguments = arguments
        self.secretArguments = secretArguments
    }
}
