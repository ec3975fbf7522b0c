/// A value of the task language at plan time.
public indirect enum Value: Sendable {
    case null
    case string(String)
    /// A credential (a `secret` parameter, a volume's account_key…): masked wherever it is shown.
    case secret(Secret)
    case bool(Bool)
    case list([Value])
    case host(Int)
    case volume(Int)
    case network(Int)
    case image(Int)
    case service(Int)
    /// A word skp places where a leading `-` is meant: an option it built from a checked inventory
    /// field (`--publish=5000:5000`, its data after the `=`), or a container's command after the
    /// image. Escaped like any value; only the leading-dash refusal does not apply.
    case option(String)
    /// A label of a host: `l.key`, `l.value`.
    case pair(key: String, value: String)
    case hosts(HostSet)
    /// Captured on a host at run time; a placeholder until then.
    case captured(String)
    /// The control machine's environment: `env.HOME`.
    case environment

    /// An inventory field as a value: a secret stays one.
    init(_ field: FieldValue) {
        switch field {
        case .plain(let text): self = .string(text)
        case .secret(let secret): self = .secret(secret)
        }
    }

    /// A secret, or a list holding one: what is made from it is secret too.
    public var holdsSecret: Bool {
        switch self {
        case .secret: true
        case .list(let items): items.contains(where: \.holdsSecret)
        default: false
        }
    }

    public var typeName: String {
        switch self {
        case .null: "nothing"
        case .string, .secret: "a string"
        case .bool: "a boolean"
        case .list: "a list"
        case .host: "a host"
        case .volume: "a volume"
        case .network: "a network"
        case .image: "an image"
        case .service: "a service"
        case .option: "an option"
        case .pair: "a label"
        case .hosts: "a set of hosts"
        case .captured: "a captured value"
        case .environment: "the environment"
        }
    }
}
