import CLibSSH2
import Foundation
import SkpKit

/// One authenticated libssh2 session to one host. Owns the socket and the session handle
/// and frees both in `close`/`deinit`.
final class SSHSession: RemoteSession {
    let session: OpaquePointer
    let socket: Int32
    let endpoint: Endpoint
    private var jumpProcess: pid_t?
    private var closed = false

    init(endpoint: Endpoint, cancel: Cancellation) throws {
        self.endpoint = endpoint
        let deadline = Date().addingTimeInterval(endpoint.connectTimeout)
        if let jump = endpoint.jump {
            (socket, jumpProcess) = try Socket.throughJump(jump, host: endpoint.address, port: endpoint.port,
                                                           knownHosts: endpoint.knownHostsPath)
        } else {
            socket = try Socket.connect(host: endpoint.address, port: endpoint.port, timeout: endpoint.connectTimeout, cancel: cancel)
        }
        guard let session = libssh2_session_init_ex(nil, nil, nil, nil) else {
            Glibc.close(socket)
            throw TransportError.connect("libssh2 could not create a session")
        }
        self.session = session
        libssh2_session_set_blocking(session, 0)
        // Fast, modern algorithms first: curve25519 costs the client ~1 ms; ed25519 host keys.
        libssh2_session_method_pref(session, LIBSSH2_METHOD_KEX,
            "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256,diffie-hellman-group16-sha512")
        libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY,
            "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,rsa-sha2-512,rsa-sha2-256,ssh-rsa")
        do {
            try call("SSH handshake with \(endpoint.address)", deadline: deadline, cancel: cancel) {
                libssh2_session_handshake(session, socket)
            }
            try checkHostKey()
            try authenticate(deadline: deadline, cancel: cancel)
            libssh2_keepalive_config(session, 1, 15)
        } catch {
            close()
            if case TransportError.channel(let message) = error { throw TransportError.connect(message) }
            throw error
        }
    }

    deinit { close() }

    func close() {
        guard !closed else { return }
        closed = true
        // Best effort, without waiting long: the host may be gone.
        let deadline = Date().addingTimeInterval(1)
        _ = try? call("disconnect", deadline: deadline, cancel: Cancellation()) {
            libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "skp done", "")
        }
        libssh2_session_free(session)
        Glibc.close(socket)
        if let pid = jumpProcess {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    // MARK: non-blocking calls

    /// Repeats a libssh2 call while it says EAGAIN, waiting on the socket in between.
    @discardableResult
    func call(_ what: String, deadline: Date?, cancel: Cancellation, _ body: () -> Int32) throws -> Int32 {
        while true {
            let rc = body()
            if rc != LIBSSH2_ERROR_EAGAIN {
                if rc < 0 { throw TransportError.channel("\(what): \(lastError())") }
                return rc
            }
            try wait(deadline: deadline, cancel: cancel, what: what)
        }
    }

    /// The same for calls that return a pointer (nil with EAGAIN means "not yet").
    func callPointer<T>(_ what: String, deadline: Date?, cancel: Cancellation, _ body: () -> T?) throws -> T {
        while true {
            if let result = body() { return result }
            guard libssh2_session_last_errno(session) == LIBSSH2_ERROR_EAGAIN else {
                throw TransportError.channel("\(what): \(lastError())")
            }
            try wait(deadline: deadline, cancel: cancel, what: what)
        }
    }

    /// Waits until the socket is ready in the direction libssh2 is blocked on, at most 200 ms,
    /// so deadlines and Ctrl-C are honoured.
    func wait(deadline: Date?, cancel: Cancellation, what: String) throws {
        if cancel.isCancelled { throw TransportError.cancelled }
        var timeout: Int32 = 200
        if let deadline {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { throw TransportError.connect("\(what) timed out") }
            timeout = min(timeout, Int32(left * 1000) + 1)
        }
        let directions = libssh2_session_block_directions(session)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var pfd = pollfd(fd: socket, events: events, revents: 0)
        _ = poll(&pfd, 1, timeout)
    }

    func lastError() -> String {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        libssh2_session_last_error(session, &message, &length, 0)
        return message.map { String(cString: $0) } ?? "unknown libssh2 error"
    }
}
