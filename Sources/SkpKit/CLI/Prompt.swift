import Foundation

/// Asks for a missing parameter on the terminal (/dev/tty), without echo for secrets, so a
/// password never has to appear on a command line.
public enum Prompt {
    public static func ask(_ question: String, secret: Bool) -> String? {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        _ = question.withCString { write(fd, $0, strlen($0)) }
        var saved = termios()
        let restore = secret && tcgetattr(fd, &saved) == 0
        var previous: [Int32: sigaction] = [:]
        if restore {
            // Ctrl-C (or a kill) while echo is off must not leave the user's terminal without it.
            Echo.fd = fd
            Echo.saved = saved
            for signal in Echo.signals { previous[signal] = Echo.catchSignal(signal) }
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(fd, TCSAFLUSH, &quiet)
        }
        defer {
            if restore {
                tcsetattr(fd, TCSAFLUSH, &saved)
                _ = write(fd, "\n", 1)
                for (signal, var action) in previous { sigaction(signal, &action, nil) }
                Echo.fd = -1
            }
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Prompt {
    /// `-K`: on a terminal, asked without echo; otherwise one line of stdin (a pipe, a file), so
    /// scripts and tests can give it. Read a byte at a time: nothing after the line is taken.
    /// nil when stdin ends before anything was read.
    public static func line(_ question: String) -> String? {
        if isatty(0) == 1 { return ask(question, secret: true) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        var got = false
        while read(0, &byte, 1) == 1 {
            got = true
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        return got ? String(decoding: bytes, as: UTF8.self) : nil
    }
}

/// What a signal handler needs to give the terminal its echo back: plain globals, since a
/// handler may only call async-signal-safe functions (tcsetattr, write, _exit).
private enum Echo {
    static let signals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
    nonisolated(unsafe) static var fd: Int32 = -1
    nonisolated(unsafe) static var saved = termios()

    /// Installs the restoring handler for `signal`; returns the action it replaces.
    static func catchSignal(_ signal: Int32) -> sigaction {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            if Echo.fd >= 0 {
                tcsetattr(Echo.fd, TCSAFLUSH, &Echo.saved)
                _ = write(Echo.fd, "\n", 1)
            }
            // As if the signal had ended skp: 128 + its number (130 for Ctrl-C).
            _exit(128 + signal)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var old = sigaction()
        sigaction(signal, &action, &old)
        return old
    }
}
