import Foundation
import SkpKit

/// Runs the built `skp` binary as a user would, from a given folder, and captures everything.
public struct Binary {
    public struct Outcome {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The project root (this file is Tests/SkpTestSupport/Binary.swift).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The skp that `swift build` made beside the test bundle.
    public static let path: String = {
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent().path
        for candidate in [bundle + "/skp", root + "/.build/debug/skp"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return root + "/.build/debug/skp"
    }()

    public static func run(_ arguments: [String], in directory: String = root, environment extra: [String: String] = [:],
                    executable: String = path) throws -> Outcome {
        var environment = ProcessInfo.processInfo.environment
        for key in ["SKP_HOSTS", "SKP_VOLUMES", "SKP_NETWORKS", "SKP_TASKS", "SKP_ROOT"] { environment[key] = nil }
        environment["SKP_MNT"] = "/root/mnt"
        environment["NO_COLOR"] = "1"
        environment.merge(extra) { $1 }
        // skp's own runner (posix_spawn, poll, waitpid): it does not wait for daemons a lab
        // command leaves holding the pipes, as Foundation's Process may.
        let command = "cd \(ShellQuote.quote(directory)) && exec " + ([executable] + arguments).map(ShellQuote.quote).joined(separator: " ")
        var stdout: [UInt8] = [], stderr: [UInt8] = []
        let status = try LocalRunner.run(command, timeout: 600, cancel: Cancellation(), environment: environment) { stream, bytes in
            if stream == .stdout { stdout += bytes } else { stderr += bytes }
        }
        return Outcome(status: status.exitCode, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Like `run`, and also how long it took.
    public static func timed(_ arguments: [String], in directory: String = root, environment: [String: String] = [:]) throws -> (Outcome, Double) {
        let start = Date()
        let outcome = try run(arguments, in: directory, environment: environment)
        return (outcome, Date().timeIntervalSince(start))
    }

    /// A scratch project: the real tasks/ and the given inventories.
    public static func project(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "skp-cli-" + UUID().uuidString
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try fm.copyItem(atPath: root + "/tasks", toPath: dir + "/tasks")
        for name in ["hosts.json", "volumes.json", "networks.json"] where files[name] == nil {
            try fm.copyItem(atPath: root + "/" + name, toPath: dir + "/" + name)
        }
        for (name, text) in files {
            try fm.createDirectory(atPath: (dir + "/" + name as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        return dir
    }
}

/// A value as one word of a shell line, quoted for it: tests build their shell lines the way
/// skp does, so a path or name with a space or a quote cannot change what a line runs.
public func quoted(_ value: String) -> String { ShellQuote.quote(value) }
