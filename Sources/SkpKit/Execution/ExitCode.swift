/// skp's exit statuses. Stable: scripts and CI pipelines depend on them.
public enum ExitCode: Int32, Sendable {
    /// Every task finished on every host.
    case ok = 0
    /// A step failed (or timed out) on at least one host.
    case taskFailed = 1
    /// Bad command line, inventory or task file: nothing ran.
    case inputError = 2
    /// At least one host could not be reached (connection, authentication, host key) or was
    /// lost mid-run (no answer to keepalives), and no step failed on the hosts that were reached.
    case unreachable = 3
    /// `--check` found hosts that would change (drift); nothing failed and every host answered.
    case drift = 4
    /// Interrupted (Ctrl-C): channels closed, summary printed.
    case interrupted = 130
}
