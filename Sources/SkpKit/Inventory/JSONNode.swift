/// A parsed JSON value with the place it was written, so inventory checks can point at it.
public struct JSONNode: Sendable {
    public indirect enum Value: Sendable {
        case object([(key: String, node: JSONNode)])
        case array([JSONNode])
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
    }

    public var value: Value
    /// Where the value starts.
    public var location: SourceLocation
    /// For an object member, where its key starts (errors about "this entry" point there).
    public var keyLocation: SourceLocation?

    public var typeName: String {
        switch value {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }

    public var string: String? {
        switch value {
        case .string(let s): s
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .bool(let b): b ? "true" : "false"
        default: nil
        }
    }

    public var entries: [(key: String, node: JSONNode)]? {
        if case .object(let entries) = value { return entries }
        return nil
    }

    public subscript(key: String) -> JSONNode? {
        entries?.first { $0.key == key }?.node
    }
}
