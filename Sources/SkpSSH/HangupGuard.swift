import SkpKit

/// Stops a remote command when its channel goes away (timeout, Ctrl-C, skp killed, connection lost).
///
/// sshd hangs up only commands that have a terminal; a plain `exec` keeps running after the client
/// leaves, and the SSH "signal" request cannot be sent with libssh2 1.10 (Debian 12) once the
/// command started. So every command runs behind a few lines of POSIX shell:
///
/// - the command's stdin is /dev/null (like `ssh -n`: nothing waits on input skp never sends);
/// - a watcher, started in the background, reads the channel's stdin, which skp never writes and
///   never closes. It reaches end of file only when the channel closes: sshd closes that pipe
///   when the client closes the channel, when the connection drops, and when the command ends.
/// - at end of file, if the command's shell is still alive (the channel closed early), the watcher
///   sends TERM, then two seconds later KILL, to the process group. sshd makes the shell a session
///   and group leader, so the group is the command and everything it started without `setsid`.
///   If the shell already exited, the watcher does nothing: `nohup daemon &` keeps running.
///
/// The user's command is appended unchanged after a newline, so `exit`, `exec`, here-documents and
/// trailing comments behave as in a plain `ssh host 'command'`. Cost: one fork of the remote shell.
///
/// Secret values come first on the same stdin, one line each, read into shell variables that the
/// command refers to (Command.forTransport): the command line sshd starts never holds them.
enum HangupGuard {
    static let prelude = """
        exec 3<&0 </dev/null
        (trap '' INT TERM; while read -r skp_ignored <&3; do :; done; kill -0 $$ 2>/dev/null || exit 0; \
        kill -TERM 0; sleep 2; kill -KILL 0) >/dev/null 2>&1 &
        exec 3<&-

        """

    /// `secrets` values arrive first on stdin, each followed by a line break, into `skp_secret_1`….
    static func wrap(_ command: String, secrets: [Secret]) -> String {
        TransportCommand.reads(secrets.enumerated().map { ($0.offset, $0.element) }) + prelude + command
    }
}
