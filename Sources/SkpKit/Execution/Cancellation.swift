import Foundation

/// Ctrl-C: the first one asks every host to stop (channels closed, summary printed, exit 130);
/// a second one exits at once.
public final class Cancellation: @unchecked Sendable {
    // @unchecked: `cancelled` is only touched under `lock`; the signal count is a plain Int32.
    private let lock = NSLock()
    private var cancelled = false
    /// Cancelled with it too (a batch's channel when the run is; early connections likewise).
    private let parent: Cancellation?

    public init() { parent = nil }

    /// Cancelled when `parent` is, or when cancelled itself.
    public init(following parent: Cancellation) { self.parent = parent }

    public var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled || Cancellation.interruptCount > 0 || parent?.isCancelled == true
    }

    public func cancel() {
        lock.lock(); cancelled = true; lock.unlock()
    }

    /// Written by the signal handler only; read everywhere. A plain Int32 is what a handler may touch.
    nonisolated(unsafe) static var interruptCount: Int32 = 0

    /// Installs the SIGINT/SIGTERM handlers once.
    public static func installSignalHandlers() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            Cancellation.interruptCount += 1
            if Cancellation.interruptCount > 1 {
                let message = "\nskp: interrupted again, exiting now\n"
                _ = message.withCString { write(2, $0, strlen($0)) }
                _exit(130)
            }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        signal(SIGPIPE, SIG_IGN)
        // A parent may have started skp with these blocked; Ctrl-C must still reach it.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}
