import Foundation
import SkpKit
import SkpSSH

// The executable stays thin: everything testable lives in SkpKit; SkpSSH brings the transport.
// One connection per host stays open for the whole run: a thousand hosts need more descriptors
// than the usual soft limit (1024) allows, so it is raised to what the system allows this user.
var files = rlimit()
if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &files) == 0, files.rlim_cur < files.rlim_max {
    files.rlim_cur = min(files.rlim_max, 1 << 20)
    _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &files)
}
let app = App(transport: SSHTransport())
let code = app.run(Array(CommandLine.arguments.dropFirst()))
exit(app.attachedExitCode ?? code.rawValue)
