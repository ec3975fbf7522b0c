import CLibSSH2
import Foundation
import SkpKit

/// Batches of steps on the host's one long-lived channel (`BatchWorker`).
extension SSHSession {
    func runBatch(_ batch: BatchScript, cancel: Cancellation, output: (SkpKit.OutputStream, [UInt8]) -> Void,
                  complete: () -> Bool, filesAhead: () -> Bool) throws -> CommandStatus {
        liveness.restart()
        let openBy = Date().addingTimeInterval(max(endpoint.connectTimeout, 10))
        // The channel kept from the last batch may have lost its shell since (a step that killed
        // `$$`, which is that shell; sshd gone for the session): the batch then fails before
        // its first byte, having run nothing, and goes once more on a new channel.
        if let kept = worker.take() {
            var heard = false
            do {
                let status = try runBatch(batch, on: kept, by: openBy, cancel: cancel, output: { stream, bytes in
                    if !bytes.isEmpty { heard = true }
                    output(stream, bytes)
                }, complete: complete, filesAhead: filesAhead)
                if heard || complete() || cancel.isCancelled || lost { return status }
            } catch TransportError.lost(let message) {
                throw TransportError.lost(message)  // the connection, not the shell: unreachable
            } catch {
                if heard || cancel.isCancelled || lost { throw error }
            }
        }
        let channel = try openChannel(running: BatchWorker.loop, by: openBy, cancel: cancel)
        return try runBatch(batch, on: channel, by: openBy, cancel: cancel, output: output, complete: complete, filesAhead: filesAhead)
    }

    private func runBatch(_ batch: BatchScript, on channel: OpaquePointer, by openBy: Date, cancel: Cancellation,
                          output: (SkpKit.OutputStream, [UInt8]) -> Void, complete: () -> Bool,
                          filesAhead: () -> Bool) throws -> CommandStatus {
        // Taken for the batch: it is kept only when the batch ends cleanly. Closing it on a
        // failure, timeout or Ctrl-C is what stops what the batch was running (the watcher).
        var kept = false
        defer { if !kept { abandon(channel) } }
        try send(BatchWorker.request(batch), to: channel, by: openBy, cancel: cancel)
        // An upload the batch will hand over: SFTP starts while the batch runs (three round trips
        // that would otherwise come after it), a step of libssh2's start-up each turn.
        _ = try pump(channel, until: nil, cancel: cancel, idleTicks: true, output: output, stop: complete) {
            if sftp == nil, !sftpStarting, filesAhead() { sftpStarting = true }
            if sftpStarting { stepSFTPStart() }
        }
        if complete() {
            worker = channel
            kept = true
            return CommandStatus(exitCode: 0)
        }
        // The channel closed before the batch's end: its shell was killed or could not run it.
        let status = try closeAfterExit(channel, cancel: cancel)
        kept = true
        return status
    }

    /// Opens the batch channel ahead of the first batch (an early connection does, off the
    /// critical path). Not SFTP: a step would wait for that too, and a batch opens it itself
    /// while it runs when it has an upload (`BatchScript.files`).
    /// `cancel`: the early connections' own (Ctrl-C, or the run over).
    func prepareBatches(cancel: Cancellation) {
        guard worker == nil else { return }
        let openBy = Date().addingTimeInterval(max(endpoint.connectTimeout, 10))
        worker = try? openChannel(running: BatchWorker.loop, by: openBy, cancel: cancel)
    }

    /// One step of starting SFTP without waiting. libssh2 keeps one state for opening a channel
    /// per session, so a start-up left half-way is finished before any other channel opens
    /// (`finishSFTPStart`); later batches carry it on meanwhile.
    func stepSFTPStart() {
        if let started = libssh2_sftp_init(session) {
            sftp = started
            sftpStarting = false
        } else if libssh2_session_last_errno(session) != LIBSSH2_ERROR_EAGAIN {
            sftpStarting = false  // the upload starts it again and says what failed
        }
    }

    func finishSFTPStart(deadline: Date, cancel: Cancellation) throws {
        while sftpStarting {
            stepSFTPStart()
            if sftpStarting { try wait(deadline: deadline, cancel: cancel, what: "starting SFTP") }
        }
    }
}
