import SkpKit

/// The shell that runs a host's batches of steps (`StepBatch`) on one channel kept open for the
/// whole invocation: a batch then costs one round trip (its request out, its frames back)
/// instead of three (channel open, exec, output) on a channel of its own.
///
/// The channel runs `loop`: it reads a request from stdin (a line with the script's line count,
/// then the script), and runs the script in a subshell whose stdin is still the channel's, so
/// the script reads its values (the batch's nonce, secrets) from there first, as a command does
/// behind HangupGuard. Then, as HangupGuard does, it starts a watcher reading the channel's
/// stdin; skp sends nothing while a batch runs, so the watcher reaches end of file only when the
/// channel closes (Ctrl-C, a timeout, skp killed, the connection lost) and then stops the whole
/// process group, the loop included. Unlike HangupGuard's, this watcher is stopped (KILL, then
/// reaped) before the batch prints its end frames: skp sends the next request only after it has
/// seen them, so the watcher can never read a byte of it.
///
/// Between batches nothing watches: a channel closed while the loop waits ends it at end of file,
/// and what a step left running in the background (`nohup daemon &`) keeps running, as with a
/// command of its own. The loop turns job control on (`set -m`; bash can without a terminal), so
/// each batch is a process group of its own, as each command was under sshd: when a later batch
/// is stopped, its watcher's `kill 0` reaches that batch only, never a daemon an earlier one left.
/// (A shell that cannot, dash, keeps one group for the loop: a stopped batch then takes such
/// daemons with it.) A request cut short (skp gone while sending) is not run. Each script line
/// costs the loop one `read` per byte (builtins only, no fork); a batch is a few kilobytes.
enum BatchWorker {
    static let loop = """
        { set -m; } 2>/dev/null
        while IFS= read -r skp_n; do skp_s=; \
        while [ "$skp_n" -gt 0 ] && IFS= read -r skp_l; do skp_s="$skp_s$skp_l
        "; skp_n=$((skp_n - 1)); done; [ "$skp_n" -eq 0 ] || exit 0; (eval "$skp_s"); done
        """

    /// What goes on the channel's stdin for one batch: the line count, the script (values read,
    /// watcher started, the steps, watcher stopped, end frames), then the values.
    static func request(_ batch: BatchScript) -> [UInt8] {
        let script = TransportCommand.reads(batch.secrets.enumerated().map { ($0.offset, $0.element) })
            + "exec 3<&0 </dev/null\n"
            + "(trap '' INT TERM; while read -r skp_ignored <&3; do :; done; kill -TERM 0; sleep 2; kill -KILL 0) >/dev/null 2>&1 &\n"
            + "skp_guard=$!\nexec 3<&-\n"
            + batch.text + (batch.text.hasSuffix("\n") ? "" : "\n")
            + "kill -KILL $skp_guard 2>/dev/null; wait $skp_guard 2>/dev/null\n"
            + batch.ending + (batch.ending.hasSuffix("\n") ? "" : "\n")
        let lines = script.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        return Array("\(lines)\n\(script)".utf8) + Array(batch.secrets.map { $0.revealed + "\n" }.joined().utf8)
    }
}
