import CLibSSH2
import Foundation
import SkpKit

/// One authenticated libssh2 session to one host. Owns the socket and the session handle
/// and frees both in `close`/`deinit`.
final class SSHSession: RemoteSession {
    let session: OpaquePointer
    let socket: Int32
    let endpoint: Endpoint
    /// Silence on the connection, watched once the session is authenticated (see Liveness).
    let liveness: Liveness
    private var watching = false
    /// Set when the host stopped answering: nothing more is waited for on this connection.
    private(set) var lost = false
    private var jumpProcess: pid_t?
    /// The channel that runs batches (`BatchWorker`), once opened; nil while a batch has it.
    var worker: OpaquePointer?
    /// The SFTP session for uploads (`files`), once opened; `sftpStarting` while a batch opens it.
    var sftp: OpaquePointer?
    var sftpStarting = false
    private var closed = false

    init(endpoint: Endpoint, cancel: Cancellation) throws {
        self.endpoint = endpoint
        liveness = Liveness(interval: endpoint.serverAliveInterval, countMax: endpoint.serverAliveCountMax)
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
        liveness.install(on: session)
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
            // Keepalives ask for an answer; skp decides when to send them (Liveness), so
            // libssh2's own spacing is the smallest it honours (it takes 1 as 2).
            libssh2_keepalive_config(session, 1, 2)
            watching = true
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
        // Best effort, without waiting long: the host may be gone (and is, when lost).
        let deadline = Date().addingTimeInterval(lost ? 0 : 1)
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

    /// Waits until the socket is ready in the direction libssh2 is blocked on, at most 100 ms,
    /// so deadlines, Ctrl-C and a silent host are noticed in time.
    func wait(deadline: Date?, cancel: Cancellation, what: String) throws {
        if cancel.isCancelled { throw TransportError.cancelled }
        if lost { throw TransportError.lost(liveness.lostMessage) }
        if watching { try keepAlive() }
        var timeout: Int32 = 100
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

    /// Sends a keepalive when one is due, and gives up on a host that answered none of them.
    private func keepAlive() throws {
        switch liveness.check() {
        case .alive: break
        case .lost:
            lost = true
            throw TransportError.lost(liveness.lostMessage)
        case .sendKeepalive:
            // Not while libssh2 is part-way through sending a packet, nor when the socket could
            // take only part of one: libssh2 finishes a half-sent packet in place of the next one
            // it is asked to send, which would then be lost. The turn still counts: a host that
            // stopped taking data is lost all the same.
            guard libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND == 0,
                  socketHasRoom() else { return }
            var next: Int32 = 0
            _ = libssh2_keepalive_send(session, &next)
        }
    }

    /// Whether the socket's send buffer has room for a whole keepalive, with plenty to spare.
    private func socketHasRoom() -> Bool {
        var queued: Int32 = 0, size: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard ioctl(socket, UInt(TIOCOUTQ), &queued) == 0,
              getsockopt(socket, SOL_SOCKET, SO_SNDBUF, &size, &length) == 0 else { return false }
        return size - queued >= 4096
    }

    func lastError() -> String {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        libssh2_session_last_error(session, &message, &length, 0)
        return message.map { String(cString: $0) } ?? "unknown libssh2 error"
    }
}
