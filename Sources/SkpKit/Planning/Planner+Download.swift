/// `download "REMOTE" to "LOCAL"`: both paths are known when planning, so every mistake in them
/// is reported at its file:line:col before any host is contacted.
extension Planner {
    func plannedDownload(remote: Template, local: Template, scope: Scope) throws -> PlannedStep.Kind {
        guard scope.host != nil else {
            throw Diagnostic("download fetches a host's file; on local there is no host to fetch from",
                             at: remote.location, source: scope.source, hint: "run it in a stage on hosts (on all { … })")
        }
        let evaluator = Evaluator(scope: scope)
        let from = try evaluator.render(remote, quoting: false)
        let to = try evaluator.render(local, quoting: false)
        for (command, template, what) in [(from, remote, "the host's path"), (to, local, "the local path")] {
            // Paths are shown in plans and journals, and name files: nothing hidden may be in them.
            guard command.secrets.isEmpty, command.capturedNames.isEmpty else {
                throw Diagnostic("\(what) of a download cannot hold secrets or captured values", at: template.location,
                                 source: scope.source)
            }
        }
        let remotePath = from.render(captures: [:]), localPath = to.render(captures: [:])
        if let problem = Self.pathProblem(remotePath) {
            throw Diagnostic("the host's path \(problem)", at: remote.location, source: scope.source)
        }
        if let problem = Self.pathProblem(localPath) {
            throw Diagnostic("the local path \(problem)", at: local.location, source: scope.source)
        }
        let last = localPath.split(separator: "/").last.map(String.init) ?? ""
        guard !localPath.hasSuffix("/"), last != ".", last != ".." else {
            throw Diagnostic("the local path '\(localPath.visible())' names a folder, not a file", at: local.location,
                             source: scope.source, hint: "end it with the file's name, e.g. \"out/${host.name}/daemon.json\"")
        }
        // Values (a host's name, a parameter) name folders below what the task wrote; they may
        // not climb out of it, so one host's file can never land in another's place or elsewhere.
        for part in to.parts {
            guard case .value(let text, _) = part else { continue }
            if text.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }) {
                throw Diagnostic("the value '\(text.visible())' in the local path would climb out of its folder with '..'",
                                 at: local.location, source: scope.source,
                                 hint: "give the folder without '..' (an absolute path works)")
            }
        }
        return .download(remote: remotePath, local: localPath)
    }

    /// Why a path cannot name a file, or nil: empty, or holding control characters (a line break
    /// in a file name hides what a listing shows; NUL ends it early for the system).
    static func pathProblem(_ path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            return "'\(path.visible())' holds control characters"
        }
        return nil
    }
}
