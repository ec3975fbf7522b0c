/// A value of the task language at plan time.
public indirect enum Value: Sendable {
    case null
    case string(String)
    /// A credential (a `secret` parameter, a volume's account_key…): masked wherever it is shown.
    case secret(String)
    case bool(Bool)
    case list([Value])
    case host(Int)
    case volume(Int)
    case network(Int)
    /// A label of a host: `l.key`, `l.value`.
    case pair(key: String, value: String)
    case hosts(HostSet)
    /// Captured on a host at run time; a placeholder until then.
    case captured(String)
    /// The control machine's environment: `env.HOME`.
    case environment

    public var typeName: String {
        switch self {
        case .null: "nothing"
        case .string, .secret: "a string"
        case .bool: "a boolean"
        case .list: "a list"
        case .host: "a host"
        case .volume: "a volume"
        case .network: "a network"
        case .pair: "a label"
        case .hosts: "a set of hosts"
        case .captured: "a captured value"
        case .environment: "the environment"
        }
    }
}
