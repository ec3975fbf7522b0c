import CLibSSH2
import Foundation
import SkpKit

/// skp's transport: one libssh2 session per host, reused for every command of the invocation.
///
/// Each session runs non-blocking on its own socket and waits with poll(2) in 100 ms slices, so
/// every call has a deadline and Ctrl-C is noticed within 100 ms. The executor's bounded pool of threads drives
/// the sessions; no libssh2 call runs on Swift's cooperative thread pool.
public struct SSHTransport: Transport {
    private static let initialized: Bool = { libssh2_init(0) == 0 }()

    public init() { _ = Self.initialized }

    /// Each channel runs what it is sent in the host's login shell: a batch of steps too.
    public var runsBatches: Bool { true }

    public func connect(to endpoint: Endpoint, cancel: Cancellation) throws -> RemoteSession {
        // Retry what may be transient (a refused or timed-out connection) with backoff;
        // never retry a host key or authentication failure.
        let start = Date()
        var delay = 0.25
        while true {
            do {
                return try SSHSession(endpoint: endpoint, cancel: cancel)
            } catch TransportError.connect(let message) {
                let elapsed = Date().timeIntervalSince(start)
                if cancel.isCancelled { throw TransportError.cancelled }
                if elapsed + delay >= endpoint.connectTimeout || message.contains("timed out") {
                    throw TransportError.connect(message)
                }
                try pause(delay, cancel: cancel)
                delay *= 2
            }
        }
    }

    /// Sleeps in 100 ms slices: a back-off of several seconds must not hold up Ctrl-C.
    private func pause(_ seconds: Double, cancel: Cancellation) throws {
        let until = Date().addingTimeInterval(seconds)
        while true {
            if cancel.isCancelled { throw TransportError.cancelled }
            let left = until.timeIntervalSinceNow
            if left <= 0 { return }
            Thread.sleep(forTimeInterval: min(left, 0.1))
        }
    }
}
