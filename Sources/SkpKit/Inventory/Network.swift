/// One entry of networks.json: a Docker network created on the swarm leader.
public struct Network: Sendable {
    public var name: String
    /// `docker network create` options; one entry may hold several words.
    public var opts: [String]
    public var fields: [String: FieldValue]
    public var location: SourceLocation
}
