import Foundation
import SkpKit

// The executable stays thin: everything testable lives in SkpKit.
let app = App()
let code = app.run(Array(CommandLine.arguments.dropFirst()))
exit(code.rawValue)
