/// One entry of images.json: an image built on the master from a folder of this machine, tagged
/// for a registry and pushed there, so every node pulls it from its own `localhost:5000`.
public struct Image: Sendable {
    public var name: String
    /// The repository name (`skp/hello`); the entry's name when not given.
    public var image: String
    public var tag: String
    /// Where it is pushed (`localhost:5000`): the registry every node runs.
    public var registry: String
    /// The build context: a folder on the control machine (relative to where skp runs).
    public var path: String
    /// `docker build` options (`--build-arg k=v`), one entry may hold several words, as written.
    public var opts: [String]
    public var location: SourceLocation

    /// `registry/image:tag`, what services name and nodes pull.
    public var reference: String { "\(registry)/\(image):\(tag)" }
}
