/// A value nobody may see: a password, a key, an account key, a secret environment variable, a
/// captured join token. It prints as `***` however it is printed (interpolation, `print`,
/// `dump`, a test's failure message), so no code path shows one by accident; its text is read
/// through `revealed` only where it is sent (a channel's stdin, a local step's environment, an
/// SFTP write) or where the run's masker learns it. Grep for `.revealed` to audit them all.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let revealed: String

    public init(_ text: String) { revealed = text }

    public var isEmpty: Bool { revealed.isEmpty }
    public var description: String { "***" }
    public var debugDescription: String { "Secret(***)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
