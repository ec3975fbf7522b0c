import CLibSSH2
import Foundation
import SkpKit

/// Commands: each on its own channel of the host's one session.
extension SSHSession {
    func run(_ command: String, secrets: [Secret], timeout: Double?, cancel: Cancellation,
             output: (SkpKit.OutputStream, [UInt8]) -> Void) throws -> CommandStatus {
        let guarded = HangupGuard.wrap(command, secrets: secrets)
        liveness.restart()
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        let openBy = Date().addingTimeInterval(max(endpoint.connectTimeout, 10))
        let channel: OpaquePointer = try callPointer("opening a channel", deadline: openBy, cancel: cancel) {
            libssh2_channel_open_ex(session, "session", 7, 2 * 1024 * 1024, 32768, nil, 0)
        }
        var freed = false
        defer { if !freed { abandon(channel) } }
        try call("starting the command", deadline: openBy, cancel: cancel) {
            libssh2_channel_process_startup(channel, "exec", 4, guarded, UInt32(guarded.utf8.count))
        }
        // The secrets' values, one line each, for the guard's prelude to read (never EOF: see HangupGuard).
        var pending = Array(secrets.map { $0.revealed + "\n" }.joined().utf8)
        while !pending.isEmpty {
            let n = pending.withUnsafeBytes { raw in
                raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) {
                    libssh2_channel_write_ex(channel, 0, $0, raw.count)
                }
            }
            if n > 0 { pending.removeFirst(n); continue }
            guard n == Int(LIBSSH2_ERROR_EAGAIN) else { throw TransportError.channel("sending the command's secrets: \(lastError())") }
            try wait(deadline: openBy, cancel: cancel, what: "sending the command's secrets")
        }

        var buffer = [UInt8](repeating: 0, count: 32768)
        while true {
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
            if libssh2_channel_eof(channel) != 0 { break }
            if progressed { continue }
            if cancel.isCancelled { throw TransportError.cancelled }
            if let deadline, Date() >= deadline {
                return CommandStatus(exitCode: -1, timedOut: true)
            }
            try wait(deadline: deadline, cancel: cancel, what: "the command")
        }
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
        freed = true
        if let signal { return CommandStatus(exitCode: 128 + Self.signalNumber(signal), signal: signal) }
        return CommandStatus(exitCode: code)
    }

    /// Closes a channel we stop reading (timeout, Ctrl-C, error) without waiting on the host.
    /// Closing it ends the remote command: see HangupGuard.
    private func abandon(_ channel: OpaquePointer) {
        let deadline = Date().addingTimeInterval(lost ? 0 : 1)
        _ = try? call("closing", deadline: deadline, cancel: Cancellation()) { libssh2_channel_close(channel) }
        _ = try? call("freeing", deadline: deadline, cancel: Cancellation()) { libssh2_channel_free(channel) }
    }

    static func signalNumber(_ name: String) -> Int32 {
        ["HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "ABRT": 6, "FPE": 8, "KILL": 9, "SEGV": 11, "PIPE": 13,
         "ALRM": 14, "TERM": 15, "USR1": 10, "USR2": 12][name] ?? 0
    }
}
