import CLibSSH2
import Foundation
import SkpKit

/// Batches of steps on the host's one long-lived channel (`BatchWorker`).
extension SSHSession {
    func runBatch(_ batch: BatchScript, cancel: Cancellation, output: (SkpKit.OutputStream, [UInt8]) -> Void,
                  complete: () -> Bool) throws -> CommandStatus {
        liveness.restart()
        let openBy = Date().addingTimeInterval(max(endpoint.connectTimeout, 10))
        // Taken for the batch: it is kept only when the batch ends cleanly. Closing it on a
        // failure, timeout or Ctrl-C is what stops what the batch was running (the watcher).
        let channel = try worker.take() ?? openChannel(running: BatchWorker.loop, by: openBy, cancel: cancel)
        var kept = false
        defer { if !kept { abandon(channel) } }
        try send(BatchWorker.request(batch), to: channel, by: openBy, cancel: cancel)
        _ = try pump(channel, until: nil, cancel: cancel, idleTicks: true, output: output, stop: complete)
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

    /// Opens the batch channel (and SFTP, for uploads to come) ahead of their first use: an
    /// early connection does, off the critical path.
    func prepare(files: Bool) {
        if worker == nil {
            let openBy = Date().addingTimeInterval(max(endpoint.connectTimeout, 10))
            worker = try? openChannel(running: BatchWorker.loop, by: openBy, cancel: Cancellation())
        }
        if files { prepareFiles() }
    }
}
