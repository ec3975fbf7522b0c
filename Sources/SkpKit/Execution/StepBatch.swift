import Foundation

/// A host's consecutive steps of one stage sent as one remote script on one channel: one round
/// trip for the lot instead of two or more per step (issue 17). Each step runs as it would on a
/// channel of its own (its own subshell: `exit`, `cd`, `set -e` stay inside it; `eval`, so a
/// syntax error fails that step only), its `unless` check first, and the script stops after the
/// first step that fails, as the host would.
///
/// Where each step starts and ends comes back as marker lines on both streams, made with a nonce
/// of this batch that travels on stdin like a secret: it is in no command line, no file and no
/// environment, so a command cannot print a marker it does not know.
struct StepBatch {
    struct Entry {
        /// The step's place in the host's steps.
        var index: Int
        var check: Command?
        /// What runs; nil for a `fail` (or `require`) step, which fails unless its check holds.
        var command: Command?
        /// An upload: when its check (the host has the file already) does not hold, its command
        /// (making the file's folder) runs, the batch stops there and skp writes the file itself
        /// (SFTP), then goes on.
        var handsOver = false

        /// The command as failures name it (masked), or the check of a `fail` step.
        var shown: String { (command ?? check).map { "\($0)" } ?? "" }
    }

    let entries: [Entry]
    /// 32 hex digits, new for every batch.
    let nonce: String

    init(_ entries: [Entry], nonce: String = StepBatch.newNonce()) {
        self.entries = entries
        self.nonce = nonce
    }

    static func newNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The marker every frame line starts with, after its line break.
    var markerPrefix: [UInt8] { Array("\n\(nonce) ".utf8) }

    /// The script and the values it reads first from stdin (the nonce, then each secret once).
    /// The steps are a function, so the first failure returns from it and the lines that say the
    /// batch ended (`BatchScript.ending`) still run.
    func script(captures: [String: String]) -> BatchScript {
        var table = [Secret(nonce)]
        // A frame is one write: `printf '\n%s …\n'` is two in bash (its stdout is line-buffered,
        // so the leading line break goes on its own), and a reader could take that break for
        // the step's output; a single `%s` of the whole line is written at once.
        let mark = { (text: String) in "skp_mark '\(text)'; skp_mark '\(text)' >&2\n" }
        var out = "skp_mark() { printf '%s' \"\n$\(TransportCommand.variable(0)) $1\n\"; }\nskp_steps() {\n"
        for (position, entry) in entries.enumerated() {
            out += mark("S \(position)")
            // `f`: a fail step's check did not hold (its message is skp's, not the host's).
            // `h`: an upload's file differs: skp takes it from here.
            let run = entry.command.map { "(eval " + ShellQuote.quote($0.transportText(captures: captures, table: &table)) + ")" }
            let command = entry.handsOver ? (run.map { $0 + " >/dev/null 2>&1; " } ?? "") + "skp_rc=h"
                : run.map { $0 + "; skp_rc=$?" } ?? "skp_rc=f"
            if let check = entry.check {
                let test = ShellQuote.quote(check.transportText(captures: captures, table: &table))
                out += "if (eval \(test)) </dev/null >/dev/null 2>&1; then skp_rc=u; else \(command); fi\n"
            } else {
                out += command + "\n"
            }
            out += "skp_mark \"E \(position) $skp_rc\"; skp_mark 'E \(position)' >&2\n"
            if position < entries.count - 1 { out += "case $skp_rc in u|0) ;; *) return 0 ;; esac\n" }
        }
        out += "}\n"
        // `P` (stdout only): an upload's file differs already as the batch starts, so skp can get
        // SFTP ready while the steps before it run. Only a hint: the check in place decides.
        for entry in entries where entry.handsOver {
            guard let check = entry.check else { continue }
            out += "(eval \(ShellQuote.quote(check.transportText(captures: captures, table: &table)))) </dev/null >/dev/null 2>&1 || skp_mark P\n"
        }
        out += "skp_steps\n"
        return BatchScript(text: out, secrets: table, ending: mark("Z"))
    }
}

/// A batch as the transport sends it: the script, the values it reads first from stdin (as
/// `TransportCommand`), and the lines that print the batch's end frame on both streams. A
/// transport that keeps one channel for many batches runs `ending` after it has stopped
/// watching that channel's stdin, and takes the end frames as the end of the batch.
public struct BatchScript: Sendable {
    public var text: String
    public var secrets: [Secret]
    public var ending: String
}
