import Foundation
import SkpKit

/// TCP connections for sessions: non-blocking connect with a deadline, TCP_NODELAY (SSH is
/// many small packets; Nagle costs ~40 ms per round trip), or a bastion's `ssh -W` pipe.
enum Socket {
    static func connect(host: String, port: Int, timeout: Double, cancel: Cancellation) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw TransportError.connect("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            if errno != EINPROGRESS {
                lastError = String(cString: strerror(errno)); close(fd); continue
            }
            // Waits in short slices so Ctrl-C is not held up by a host that drops packets.
            let deadline = Date().addingTimeInterval(timeout)
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            while true {
                let ready = poll(&pfd, 1, 100)
                if ready > 0 || (ready < 0 && errno != EINTR) { break }
                if cancel.isCancelled { close(fd); throw TransportError.cancelled }
                if Date() >= deadline {
                    close(fd)
                    throw TransportError.connect("connection to \(host):\(port) timed out after \(format(timeout)) s")
                }
            }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == 0 { return fd }
            lastError = String(cString: strerror(error))
            close(fd)
        }
        throw TransportError.connect("cannot connect to \(host):\(port): \(lastError)")
    }

    /// A socket whose other end is `ssh -W host:port JUMP`: OpenSSH's own ProxyJump, so the
    /// bastion is reached with the user's usual ssh settings and agent.
    static func throughJump(_ jump: String, host: String, port: Int, knownHosts: String) throws -> (Int32, pid_t) {
        var pair: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else {
            throw TransportError.connect("socketpair failed")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
        posix_spawn_file_actions_addclose(&actions, pair[0])
        // The bastion's key is checked against the same known_hosts as every other host.
        let args = ["ssh", "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=\(knownHosts)", "-W", "\(host):\(port)", "--", jump]
        var pointers = args.map { strdup($0) } + [nil]
        defer { for p in pointers { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, "ssh", &actions, nil, &pointers, environ)
        close(pair[1])
        guard rc == 0 else {
            close(pair[0])
            throw TransportError.connect("cannot start ssh for the jump host \(jump)")
        }
        _ = fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK)
        return (pair[0], pid)
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
