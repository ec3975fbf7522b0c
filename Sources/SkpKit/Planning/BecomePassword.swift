/// The password `sudo` steps give sudo on hosts whose user is not root and that have no
/// `become_password` of their own (`-K` asks for it, else `$SKP_BECOME_PASSWORD`). The source is
/// called at most once, at the first step that needs it: a run with no such step never asks.
public final class BecomePassword {
    private let source: () throws -> Secret?
    private var known: Secret??

    /// `source` returns the password, or nil when there is none (the steps use `sudo -n`).
    public init(_ source: @escaping () throws -> Secret?) { self.source = source }

    func value() throws -> Secret? {
        if let known { return known }
        let value = try source()
        known = .some(value)
        return value
    }

    /// Refuses, with `origin` named, a password sudo could not read as one line.
    public static func checked(_ password: String, origin: String) throws -> Secret {
        if let problem = Host.becomePasswordProblem(password) {
            throw Diagnostic("\(origin) \(problem)", hint: "sudo reads its password as one non-empty line")
        }
        return Secret(password)
    }
}
