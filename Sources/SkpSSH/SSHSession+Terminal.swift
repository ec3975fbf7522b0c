import CLibSSH2
import Foundation
import SkpKit

/// `attach` steps: a command with a terminal on the host, this process's terminal connected to it,
/// as `ssh -t host command` does. Keys go to the host as typed (Ctrl-C included: the local
/// terminal is in raw mode, so it interrupts the remote program, not skp), the window size follows
/// the local one, and the command's exit status comes back.
extension SSHSession {
    func attach(_ command: String, cancel: Cancellation) throws -> CommandStatus {
        let openBy = Date().addingTimeInterval(max(endpoint.connectTimeout, 10))
        try finishSFTPStart(deadline: openBy, cancel: cancel)
        let channel: OpaquePointer = try callPointer("opening a channel", deadline: openBy, cancel: cancel) {
            libssh2_channel_open_ex(session, "session", 7, 2 * 1024 * 1024, 32768, nil, 0)
        }
        defer {
            let closeBy = Date().addingTimeInterval(2)
            _ = try? call("closing", deadline: closeBy, cancel: Cancellation()) { libssh2_channel_close(channel) }
            _ = try? call("freeing", deadline: closeBy, cancel: Cancellation()) { libssh2_channel_free(channel) }
        }
        var size = Self.windowSize()
        let term = ProcessInfo.processInfo.environment["TERM"].flatMap { $0.isEmpty ? nil : $0 } ?? "xterm"
        try call("asking for a terminal", deadline: openBy, cancel: cancel) {
            libssh2_channel_request_pty_ex(channel, term, UInt32(term.utf8.count), nil, 0,
                                           Int32(size.ws_col), Int32(size.ws_row), 0, 0)
        }
        try call("starting the command", deadline: openBy, cancel: cancel) {
            libssh2_channel_process_startup(channel, "exec", 4, command, UInt32(command.utf8.count))
        }

        // Raw mode for as long as the remote program has the terminal; restored however this ends.
        var saved = termios()
        let isTerminal = tcgetattr(0, &saved) == 0
        if isTerminal {
            var raw = saved
            cfmakeraw(&raw)
            tcsetattr(0, TCSANOW, &raw)
        }
        defer { if isTerminal { tcsetattr(0, TCSANOW, &saved) } }

        var buffer = [UInt8](repeating: 0, count: 32768)
        var stdinOpen = true
        while true {
            var fds = [pollfd(fd: 0, events: stdinOpen ? Int16(POLLIN) : 0, revents: 0),
                       pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, 100)
            if stdinOpen, fds[0].revents & Int16(POLLIN | POLLHUP) != 0 {
                let n = read(0, &buffer, buffer.count)
                if n > 0 {
                    try send(Array(buffer[0..<n]), to: channel, cancel: cancel)
                } else {
                    stdinOpen = false
                    _ = libssh2_channel_send_eof(channel)
                }
            }
            for id in [Int32(0), Int32(1)] {
                while true {
                    let n = buffer.withUnsafeMutableBufferPointer { raw in
                        raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) {
                            libssh2_channel_read_ex(channel, id, $0, raw.count)
                        }
                    }
                    if n > 0 { Self.writeAll(buffer[0..<n], to: id == 0 ? 1 : 2); continue }
                    if n == Int(LIBSSH2_ERROR_EAGAIN) || n == 0 { break }
                    throw TransportError.channel("lost the connection while the terminal was attached (\(lastError()))")
                }
            }
            if libssh2_channel_eof(channel) != 0 { break }
            if cancel.isCancelled { throw TransportError.cancelled }
            // The window follows the local one (checked every pass: no signal handler needed).
            let now = Self.windowSize()
            if now.ws_col != size.ws_col || now.ws_row != size.ws_row {
                size = now
                _ = libssh2_channel_request_pty_size_ex(channel, Int32(size.ws_col), Int32(size.ws_row), 0, 0)
            }
        }
        let closeBy = Date().addingTimeInterval(10)
        try call("waiting for the exit status", deadline: closeBy, cancel: cancel) { libssh2_channel_wait_closed(channel) }
        return CommandStatus(exitCode: libssh2_channel_get_exit_status(channel))
    }

    private func send(_ bytes: [UInt8], to channel: OpaquePointer, cancel: Cancellation) throws {
        var pending = bytes[...]
        let deadline = Date().addingTimeInterval(max(endpoint.connectTimeout, 10))
        while !pending.isEmpty {
            let n = pending.withUnsafeBytes { raw in
                raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) {
                    libssh2_channel_write_ex(channel, 0, $0, raw.count)
                }
            }
            if n > 0 { pending = pending.dropFirst(n); continue }
            guard n == Int(LIBSSH2_ERROR_EAGAIN) else { throw TransportError.channel("sending keys: \(lastError())") }
            try wait(deadline: deadline, cancel: cancel, what: "sending keys")
        }
    }

    private static func writeAll(_ bytes: ArraySlice<UInt8>, to fd: Int32) {
        var rest = bytes
        while !rest.isEmpty {
            let n = rest.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { if errno == EINTR || errno == EAGAIN { continue }; return }
            rest = rest.dropFirst(n)
        }
    }

    /// The local terminal's size; 80x24 when there is none.
    private static func windowSize() -> winsize {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) != 0 || size.ws_col == 0 || size.ws_row == 0 {
            size = winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)
        }
        return size
    }
}
