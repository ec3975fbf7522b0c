import Foundation
import SkpKit
import SkpSSH

// The executable stays thin: everything testable lives in SkpKit; SkpSSH brings the transport.
let app = App(transport: SSHTransport())
let code = app.run(Array(CommandLine.arguments.dropFirst()))
exit(app.attachedExitCode ?? code.rawValue)
