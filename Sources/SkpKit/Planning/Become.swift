/// A `sudo` step for a user whose sudo asks for a password (`-K`, `$SKP_BECOME_PASSWORD`, a
/// host's `become_password`): how the password reaches sudo without being in any process's
/// arguments or in the command's text, and without getting in the way of the command's own input.
///
/// `sudo -S` reads the password on its stdin, one byte at a time up to the line break. The inner
/// shell needs that same stdin for its own values (secrets, captured tokens): sudo closes every
/// other descriptor before it runs the command, so a `3<&0` would not reach it. Two facts of sudo
/// (1.9, checked against Debian 12's) shape the text:
/// - sudo reads the password only when it needs one: with NOPASSWD, or credentials cached a
///   moment ago, the line stays unread and would reach the inner shell as its input;
/// - a wrong password makes sudo read the next line as a second try and the one after as a third
///   (with PAM's ~2 s pause each): values after the password would be tried as passwords, and a
///   wrong password would take 6 s or more. At end of file sudo gives up after the first try.
///
/// So the step runs sudo twice from the user's shell:
/// 1. `sudo -S -p '' sh -c :` with nothing but the password on its stdin checks it: a wrong
///    one fails after one try (~2 s), and skp says `sudo: wrong become password on HOST`;
///    a right one leaves sudo's credentials cached as any sudo does (no `-k`).
/// 2. the step itself, `sudo -S -p '' sh -c '…'`, with the password, an empty line, then the
///    values. If sudo read the password, the inner shell's first line is the empty one; if it did
///    not (NOPASSWD, cached), it is the password, dropped with the empty line after it. Either
///    way the inner shell then reads exactly its values. An empty password would be ambiguous
///    here: it is refused before anything runs, as is one with a line break (sudo reads a line).
///
/// Both stdins are here-documents that expand `$skp_secret_N` (read by HangupGuard's prelude from
/// the channel's stdin): the shell writes them itself (dash from a forked child, bash 5.1+
/// through a pipe; older bash through an unlinked temporary file), so no `printf` or `echo`
/// process ever holds the password in its arguments. `-p ''`: no prompt text on stderr.
enum Become {
    /// How the step is shown in plans, `--verbose` and the journal, before the inner command.
    static let shown = "sudo -S -p '' sh -c "

    /// The two sudo calls. `password` is a reference to the variable holding it (`${skp_secret_2}`),
    /// `values` the inner command's own values (index, text), `inner` its text.
    static func transportText(_ inner: String, password: String, values: [(index: Int, value: Secret)],
                              host: String) -> String {
        let wrong = ShellQuote.quote("sudo: wrong become password on \(host)")
        // sudo's messages are matched in English whatever the host's locale; anything else sudo
        // says (not in sudoers, not installed) is passed on as it said it.
        let check = """
            if ! skp_sudo=$(LC_ALL=C sudo -S -p '' sh -c : 2>&1 <<SKP_BECOME_END
            \(password)
            SKP_BECOME_END
            ); then
              case $skp_sudo in
              *'incorrect password'*|*'no password was provided'*) printf '%s\\n' \(wrong) >&2 ;;
              *) printf '%s\\n' "$skp_sudo" >&2 ;;
              esac
              exit 1
            fi

            """
        let drop = "IFS= read -r skp_line; [ -z \"$skp_line\" ] || IFS= read -r skp_line; skp_line=\n"
        let script = drop + TransportCommand.reads(values) + "exec </dev/null\n" + inner
        return check + shown + ShellQuote.quote(script) + " <<SKP_SECRETS_END\n" + password + "\n\n"
            + values.map { "${\(TransportCommand.variable($0.index))}\n" }.joined() + "SKP_SECRETS_END"
    }
}
