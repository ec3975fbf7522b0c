import Foundation

/// Runs commands on the control machine with the same result model as remote ones:
/// `/bin/sh -c`, output streamed as it arrives, a timeout, and Ctrl-C honoured.
public enum LocalRunner {
    private static let spawnLock = NSLock()

    public static func run(_ command: String, timeout: Double?, cancel: Cancellation,
                           environment: [String: String]? = nil,
                           output: (OutputStream, [UInt8]) -> Void) throws -> CommandStatus {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        // Close-on-exec, set under a lock held across spawning: a command spawned by another
        // thread at the same moment must not inherit these pipes (a daemon it starts would
        // hold them open for ever).
        spawnLock.lock()
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            spawnLock.unlock()
            throw TransportError.channel("pipe failed")
        }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a timeout or Ctrl-C can stop the whole pipeline.
        // Commands start with default signal handling and nothing blocked, whatever skp's own is.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGQUIT, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let args = ["/bin/sh", "-c", command]
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0)=\($1)" }
        var pid: pid_t = 0
        let status = withCStrings(args) { argv in
            withCStrings(env) { envp in posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, envp) }
        }
        spawnLock.unlock()
        close(outPipe[1]); close(errPipe[1])
        guard status == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw TransportError.channel("cannot start /bin/sh: \(String(cString: strerror(status)))")
        }

        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0),
                   pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
        var open = 2, timedOut = false, exited = false
        var wait: Int32 = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            if cancel.isCancelled || (deadline.map { Date() >= $0 } ?? false) {
                timedOut = !cancel.isCancelled
                kill(-pid, SIGTERM)
                break
            }
            if poll(&fds, 2, 100) <= 0 {
                // The shell has exited but something it started (a daemon) still holds the
                // pipes: what was written is read; do not wait for the daemon.
                if exited { break }
                if waitpid(pid, &wait, WNOHANG) == pid { exited = true }
                continue
            }
            for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = read(fds[i].fd, &buffer, buffer.count)
                if n > 0 {
                    output(i == 0 ? .stdout : .stderr, Array(buffer[0..<n]))
                } else {
                    close(fds[i].fd); fds[i].fd = -1; open -= 1
                }
            }
        }
        for fd in fds where fd.fd >= 0 { close(fd.fd) }
        if !exited { exited = reap(pid, &wait, within: timedOut || cancel.isCancelled ? 1 : nil) }
        if !exited {
            // A command that ignores TERM must not hold up a timeout or Ctrl-C.
            kill(-pid, SIGKILL)
            while waitpid(pid, &wait, 0) < 0 && errno == EINTR {}
        }
        if timedOut { return CommandStatus(exitCode: -1, timedOut: true) }
        if cancel.isCancelled { throw TransportError.cancelled }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift cannot import as macros.
        let signal = wait & 0x7f
        if signal == 0 { return CommandStatus(exitCode: (wait >> 8) & 0xff) }
        return CommandStatus(exitCode: 128 + signal, signal: String(cString: strsignal(signal)))
    }
}

extension LocalRunner {
    /// Waits for `pid` to exit: for ever (nil), or at most `seconds`, in 100 ms slices.
    static func reap(_ pid: pid_t, _ status: inout Int32, within seconds: Double?) -> Bool {
        guard let seconds else {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return true
        }
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if waitpid(pid, &status, WNOHANG) == pid { return true }
            if Date() >= deadline { return false }
            usleep(100_000)
        }
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
