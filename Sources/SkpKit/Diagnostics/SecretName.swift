/// Names whose values are credentials wherever they come from: inventory fields (hosts, volumes,
/// networks) and the control machine's environment (`${env.DB_PASSWORD}`). Their values are secrets
/// in the task language: masked in every output, never on a command line.
public enum SecretName {
    static let words = ["password", "passwd", "secret", "token", "key"]

    public static func matches(_ name: String) -> Bool {
        let lower = name.lowercased()
        return words.contains { lower.contains($0) }
    }
}
