import Foundation

/// The one masker of a run: secrets of the plan, and values captured as the run goes.
public final class SharedMask: @unchecked Sendable {
    // @unchecked: `mask` is only read or changed under `lock`.
    private let lock = NSLock()
    private var mask: SecretMask

    public init(_ secrets: [Secret]) { mask = SecretMask(secrets) }

    /// A value captured on a host: secret from now on.
    public func add(_ value: Secret) {
        let trimmed = Secret(value.revealed.trimmingCharacters(in: .whitespacesAndNewlines))
        lock.withLock { mask.add(trimmed) }
    }

    public func apply(_ text: String) -> String {
        let current = lock.withLock { mask }
        return current.apply(text)
    }
}
