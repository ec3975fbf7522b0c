/// A string field of an inventory as loaded: plain, or a secret from the moment it is read (a
/// field named like a credential, `account_key`, `DB_PASSWORD`, or made from such a variable of
/// this machine). What is secret is decided once, where the file is read, and the type carries it.
public enum FieldValue: Sendable, Equatable {
    case plain(String)
    case secret(Secret)

    /// Secret when its name says so.
    public init(_ text: String, name: String) {
        self = SecretName.matches(name) ? .secret(Secret(text)) : .plain(text)
    }

    public var isSecret: Bool { if case .secret = self { true } else { false } }

    /// The text of a plain field; nil for a secret (use `secret`).
    public var plain: String? { if case .plain(let text) = self { text } else { nil } }
    public var secret: Secret? { if case .secret(let secret) = self { secret } else { nil } }
}
