import CLibSSH2
import Foundation
import SkpKit

/// Commands: each on its own channel of the host's one session.
extension SSHSession {
    func run(_ command: String, secrets: [Secret], timeout: Double?, cancel: Cancellation,
             output: (SkpKit.OutputStream, [UInt8]) -> Void) throws -> CommandStatus {
        liveness.restart()
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        let openBy = Date().addingTimeInterval(max(endpoint.connectTimeout, 10))
        let channel = try openChannel(running: HangupGuard.wrap(command, secrets: secrets), by: openBy, cancel: cancel)
        var freed = false
        defer { if !freed { abandon(channel) } }
        // The secrets' values, one line each, for the guard's prelude to read (never EOF: see HangupGuard).
        try send(Array(secrets.map { $0.revealed + "\n" }.joined().utf8), to: channel, by: openBy, cancel: cancel)
        if try !pump(channel, until: deadline, cancel: cancel, output: output, stop: { false }) {
            return CommandStatus(exitCode: -1, timedOut: true)
        }
        let status = try closeAfterExit(channel, cancel: cancel)
        freed = true
        return status
    }

    /// Opens a channel and starts `command` on it (the host's login shell reads it).
    func openChannel(running command: String, by openBy: Date, cancel: Cancellation) throws -> OpaquePointer {
        try finishSFTPStart(deadline: openBy, cancel: cancel)
        let channel: OpaquePointer = try callPointer("opening a channel", deadline: openBy, cancel: cancel) {
            libssh2_channel_open_ex(session, "session", 7, 2 * 1024 * 1024, 32768, nil, 0)
        }
        do {
            try call("starting the command", deadline: openBy, cancel: cancel) {
                libssh2_channel_process_startup(channel, "exec", 4, command, UInt32(command.utf8.count))
            }
        } catch {
            abandon(channel)
            throw error
        }
        return channel
    }

    /// Writes all of `bytes` to the channel's stdin.
    func send(_ bytes: [UInt8], to channel: OpaquePointer, by deadline: Date, cancel: Cancellation) throws {
        var pending = bytes[...]
        while !pending.isEmpty {
            let n = pending.withUnsafeBytes { raw in
                raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) {
                    libssh2_channel_write_ex(channel, 0, $0, raw.count)
                }
            }
            if n > 0 { pending = pending.dropFirst(n); continue }
            guard n == Int(LIBSSH2_ERROR_EAGAIN) else { throw TransportError.channel("sending to the host: \(lastError())") }
            try wait(deadline: deadline, cancel: cancel, what: "sending to the host")
        }
    }

    /// Hands the channel's output to `output` as it arrives, until the host closes it (true),
    /// `stop` says enough (true), or `deadline` passes (false). With `idleTicks`, an empty chunk
    /// says, every time skp is about to wait (at least every 100 ms), that nothing more came.
    /// `alongside` runs once per turn: other work on the session that goes on meanwhile.
    func pump(_ channel: OpaquePointer, until deadline: Date?, cancel: Cancellation, idleTicks: Bool = false,
              output: (SkpKit.OutputStream, [UInt8]) -> Void, stop: () -> Bool,
              alongside: () -> Void = {}) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 32768)
        while true {
            alongside()
            var progressed = false
            for (stream, id) in [(SkpKit.OutputStream.stdout, Int32(0)), (.stderr, Int32(1))] {
                while true {
                    let n = buffer.withUnsafeMutableBufferPointer { raw in
                        raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) {
                            libssh2_channel_read_ex(channel, id, $0, raw.count)
                        }
                    }
                    if n > 0 { output(stream, Array(buffer[0..<n])); progressed = true; continue }
                    if n == Int(LIBSSH2_ERROR_EAGAIN) || n == 0 { break }
                    throw TransportError.lost("lost the connection while the command ran (\(lastError()))")
                }
            }
            if progressed, stop() { return true }
            if libssh2_channel_eof(channel) != 0 { return true }
            if progressed { continue }
            if idleTicks { output(.stdout, []) }
            if cancel.isCancelled { throw TransportError.cancelled }
            if let deadline, Date() >= deadline { return false }
            try wait(deadline: deadline, cancel: cancel, what: "the command")
        }
    }

    /// After the end of output: waits for the host to close the channel, frees it and returns
    /// how the command ended.
    func closeAfterExit(_ channel: OpaquePointer, cancel: Cancellation) throws -> CommandStatus {
        // End of output is not the end of the command: coreutils close stdout in an exit handler,
        // and the process still runs. sshd sends exit-status and closes its side only after it
        // reaped the command, so wait for that before closing ours; closing first would look to
        // HangupGuard like skp leaving early, and it would stop a command that was finishing.
        let closeBy = Date().addingTimeInterval(10)
        try call("waiting for the exit status", deadline: closeBy, cancel: cancel) { libssh2_channel_wait_closed(channel) }
        try call("closing the channel", deadline: closeBy, cancel: cancel) { libssh2_channel_close(channel) }
        let code = libssh2_channel_get_exit_status(channel)
        var signalName: UnsafeMutablePointer<CChar>?
        var signalLength = 0
        libssh2_channel_get_exit_signal(channel, &signalName, &signalLength, nil, nil, nil, nil)
        let signal = signalName.map { String(cString: $0) }
        if let signalName { free(signalName) }
        _ = try? call("freeing the channel", deadline: closeBy, cancel: cancel) { libssh2_channel_free(channel) }
        if let signal { return CommandStatus(exitCode: 128 + Self.signalNumber(signal), signal: signal) }
        return CommandStatus(exitCode: code)
    }

    /// Closes a channel we stop reading (timeout, Ctrl-C, error) without waiting on the host.
    /// Closing it ends the remote command: see HangupGuard.
    func abandon(_ channel: OpaquePointer) {
        let deadline = Date().addingTimeInterval(lost ? 0 : 1)
        _ = try? call("closing", deadline: deadline, cancel: Cancellation()) { libssh2_channel_close(channel) }
        _ = try? call("freeing", deadline: deadline, cancel: Cancellation()) { libssh2_channel_free(channel) }
    }

    static func signalNumber(_ name: String) -> Int32 {
        ["HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "ABRT": 6, "FPE": 8, "KILL": 9, "SEGV": 11, "PIPE": 13,
         "ALRM": 14, "TERM": 15, "USR1": 10, "USR2": 12][name] ?? 0
    }
}
