import Foundation
import Testing
@testable import SkpKit

/// `${raw …}` is for option lists (`opts`) and parameters declared `shell`; anything else is
/// refused when the task library loads (issue 13 item 2).
@Suite struct RawRuleTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func shipped(_ name: String) throws -> String {
        try String(contentsOfFile: root + "/tasks/\(name).skp", encoding: .utf8)
    }

    /// The lint: every task file skp ships loads under the rule (a raw of anything else fails CI).
    @Test func testIssue13Item2_everyShippedTaskFileLoadsUnderTheRawRule() throws {
        let library = try TaskLibrary.load(directory: Self.root + "/tasks")
        #expect(library["ssh.cmd"]?.param(named: "command")?.shellCode == true)
        #expect(library["nfs.exportfs"] != nil && library["vagrant.init"] != nil)
    }

    @Test(arguments: [
        // (task body line, what is named, 1-based column of the `${`)
        ("    run \"grep -c '^${raw v.path} ' /etc/exports\"", "v.path", 20),
        ("    run \"echo ${raw join(v.labels, \" \")}\"", "join(…)", 15),
        ("    run \"echo ${raw v}\"", "v", 15),
        ("    run \"echo ${raw host.name}\"", "host.name", 15),
        ("    run \"echo ${raw env.HOME}\"", "env.HOME", 15),
        ("    run \"echo ${raw name}\"", "name", 15),
        ("    run \"echo x\" unless \"test ${raw v.opts} = ${raw v.name}\"", "v.name", 47),
    ])
    func testIssue13Item2_rawOfAnythingButOptsOrShellIsRefusedWithItsPlace(line: String, named: String, column: Int) {
        let text = "task t {\n  param name -n\n  for v in volumes {\n\(line)\n  }\n}\n"
        let d = Fixture.diagnostic { _ = try TaskLibrary(files: [Fixture.parse(text, path: "tasks/t.skp")]) }
        #expect(d?.message == "${raw …} takes an option list or shell code, and \(named) is neither", "\(d?.message ?? "loaded")")
        #expect(d?.location?.file == "tasks/t.skp")
        #expect(d.map { "\($0.location!.line + 1):\($0.location!.column + 1)" } == "4:\(column)")
        #expect(d?.hint?.contains("write ${\(named)}") == true)
    }

    @Test func optsAndShellParametersMayBeRaw() throws {
        let text = """
        task t {
          param command -c shell
          for v in host.volumes { run "docker volume create ${raw v.opts}" }
          for n in networks { run "docker network create ${raw n.opts}" }
          run "${raw command}"
        }
        task u { pre t(command = "echo hi") }
        """
        _ = try TaskLibrary(files: [Fixture.parse(text)])
        // A loop variable named like the shell parameter hides it; a hook cannot pass it data.
        let shadow = "task t {\n  param command shell\n  for command in volumes { run \"${raw command}\" }\n}\n"
        #expect(Fixture.diagnostic { _ = try TaskLibrary(files: [Fixture.parse(shadow)]) }?.message.contains("command is neither") == true)
        let hook = "task t {\n  param command shell\n  run \"${raw command}\"\n}\ntask u {\n  pre t(command = \"rm ${host.name}\")\n}\n"
        let d = Fixture.diagnostic { _ = try TaskLibrary(files: [Fixture.parse(hook)]) }
        #expect(d?.message.contains("is shell code: a hook passes it only literal text") == true, "\(d?.message ?? "loaded")")
    }

    /// The hole the issue found: a volume path with `'` and `$(…)` in nfs.exportfs, run in dash and
    /// bash against a scratch exports file: nothing runs, and the line written is the path as is.
    @Test func testIssue13Item2_hostileVolumePathInExportfsRunsNothing() throws {
        let marker = NSTemporaryDirectory() + "skp-nfs-\(UUID().uuidString.prefix(8))"
        for path in ["/srv/it's$$(touch \(marker))'`touch \(marker)`", "/srv/it's"] {
            for sh in ["/bin/dash", "/bin/bash"] {
                let dir = Fixture.folder(["exports": "/srv/other 10.0.0.0/8(ro)\n"])
                let volumes = #"{"evil": {"type": "nfs", "path": "\#(path)"}}"#
                let inventory = try Fixture.inventory(hosts: #"{"c01": {"ipv4": "10.0.0.1", "roles": ["master"]}}"#, volumes: volumes)
                let plan = try Fixture.plan(["nfs": try Self.shipped("nfs")],
                                            [TaskRequest(task: "nfs.exportfs", arguments: ["exports": dir + "/exports"])], inventory: inventory)
                let step = try #require(plan.tasks[0].stages.flatMap { $0.hosts.flatMap(\.steps) }.first { $0.unless != nil })
                guard case .run(let command) = step.kind, let unless = step.unless else { Issue.record("not a run step"); return }
                #expect(try Self.status(sh, unless.render(captures: [:])) != 0, "the check passed before the line was written")
                #expect(try Self.status(sh, command.render(captures: [:])) == 0)
                let real = path.replacingOccurrences(of: "$$", with: "$")
                let exports = try String(contentsOfFile: dir + "/exports", encoding: .utf8)
                #expect(exports == "/srv/other 10.0.0.0/8(ro)\n\(real) 10.0.0.0/24(rw,insecure,no_root_squash,no_subtree_check,sync)\n",
                        "\(sh): \(exports.debugDescription)")
                if !path.contains(" ") {
                    #expect(try Self.status(sh, unless.render(captures: [:])) == 0, "\(sh): the check fails after the line was written")
                }
                #expect(!FileManager.default.fileExists(atPath: marker), "\(sh) ran a command from the volume path: \(command)")
            }
        }
    }

    static func status(_ sh: String, _ command: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sh)
        process.arguments = ["-c", command]
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
