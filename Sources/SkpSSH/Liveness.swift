import CLibSSH2
import Foundation
import SkpKit

/// Whether a host still answers, as OpenSSH's ServerAliveInterval / ServerAliveCountMax decide it.
///
/// A host whose link goes down sends nothing and refuses nothing: TCP keeps retransmitting for
/// about 15 minutes, and a command's channel just stays quiet. So skp counts silence: every byte
/// libssh2 receives resets it (a recv callback records the time). After `interval` seconds of
/// silence while skp waits on the host it sends a keepalive that asks for an answer (sshd answers
/// every one, even while a command is quiet), and another each `interval` after; when `countMax`
/// of them went unanswered, one `interval` apart, the connection is lost. A lost host is therefore
/// reported at most `interval × (countMax + 1)` seconds after it last spoke (plus one 100 ms
/// poll per keepalive): 40 s with the defaults (10 s × 3).
final class Liveness {
    let interval: Int
    let countMax: Int
    /// Monotonic nanoseconds since the host last sent anything (or skp last started waiting on it).
    private(set) var quietSince: UInt64
    /// Keepalives sent since then, and when the last one went.
    private var sent = 0
    private var lastSent: UInt64 = 0

    init(interval: Int, countMax: Int) {
        self.interval = interval
        self.countMax = countMax
        quietSince = Self.now()
    }

    /// Something arrived from the host.
    func heard() {
        quietSince = Self.now()
        sent = 0
    }

    /// skp starts waiting on the host again (a new command, an upload): time spent idle between
    /// steps, when skp asked nothing, is not silence.
    func restart() { heard() }

    enum Verdict: Equatable { case alive, sendKeepalive, lost }

    /// What to do now. Keepalives go at least `interval` apart (libssh2 1.10 sends one only when
    /// two whole seconds of time(2) have passed since the last, hence skp's 2 s minimum).
    func check() -> Verdict {
        let now = Self.now()
        let quiet = Double(now &- quietSince) / 1e9
        let sinceLast = sent == 0 ? quiet : Double(now &- lastSent) / 1e9
        guard quiet >= Double(interval), sinceLast >= Double(interval) else { return .alive }
        if sent >= countMax { return .lost }
        sent += 1
        lastSent = now
        return .sendKeepalive
    }

    var lostMessage: String {
        "connection lost (no answer to \(countMax) keepalive\(countMax == 1 ? "" : "s") in \(interval * countMax) s)"
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// Replaces libssh2's socket reads with the same recv(2) that notes the time of each byte.
    /// libssh2 hands the callback its session's abstract pointer, which points at this object.
    func install(on session: OpaquePointer) {
        libssh2_session_abstract(session)?.pointee = Unmanaged.passUnretained(self).toOpaque()
        libssh2_session_callback_set(session, LIBSSH2_CALLBACK_RECV, unsafeBitCast(receive, to: UnsafeMutableRawPointer.self))
    }
}

/// libssh2's recv callback: recv(2), with errors as libssh2 expects them (-errno, -EAGAIN).
private let receive: @convention(c) (
    libssh2_socket_t, UnsafeMutableRawPointer?, Int, Int32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> Int = { socket, buffer, length, flags, abstract in
    let n = recv(socket, buffer, length, flags)
    if n < 0 { return errno == EWOULDBLOCK ? -Int(EAGAIN) : -Int(errno) }
    if n > 0, let pointer = abstract?.pointee {
        Unmanaged<Liveness>.fromOpaque(pointer).takeUnretainedValue().heard()
    }
    return n
}
