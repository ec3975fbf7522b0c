// libFuzzer target: the task language. Any input must give a TaskFile or a Diagnostic, never a
// crash, a hang or an out-of-bounds read (built with AddressSanitizer). The first byte picks
// what to parse: a task file, or a host selector as written after `on` and in --limit. A task
// file that parses is also planned against a small inventory, every parameter set to a hostile
// value, so the evaluator and the shell-context scanner that escapes values are fuzzed too.
import Foundation

private let inventory: Inventory? = {
    let path = "/dev/shm/skp-fuzz-plan-\(getpid())"
    mkdir(path, 0o700)
    let hosts = #"{"m1": {"ipv4": "10.0.0.1", "roles": ["master"], "labels": {"l1": "enable"}}, "w1": {"ipv4": "10.0.0.2", "roles": ["worker"]}}"#
    let volumes = #"{"v1": {"type": "fs", "path": "/srv/v1", "labels": ["l1"]}}"#
    _ = FileManager.default.createFile(atPath: path + "/hosts.json", contents: Data(hosts.utf8))
    _ = FileManager.default.createFile(atPath: path + "/volumes.json", contents: Data(volumes.utf8))
    _ = FileManager.default.createFile(atPath: path + "/networks.json", contents: Data("{}".utf8))
    var loader = InventoryLoader(environment: environment)
    return try? loader.load(InventoryPaths(hosts: path + "/hosts.json", volumes: path + "/volumes.json", networks: path + "/networks.json"))
}()

private let environment = SkpEnvironment(["HOME": "/root", "USER": "root"])

@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: count - 1), as: UTF8.self)
    if data[0] & 1 == 0 {
        guard let file = try? Parser.parseFile(SourceText(path: "fuzz.skp", text: text)), let inventory,
              let library = try? TaskLibrary(files: [file]) else { return 0 }
        let planner = Planner(library: library, inventory: inventory, environment: environment)
        for task in file.tasks {
            var arguments: [String: String] = [:]
            for param in task.params { arguments[param.name] = param.isFlag ? "true" : "x'\"`$(y)\\\nEOF" }
            _ = try? planner.plan([TaskRequest(task: file.namespace + "." + task.name, arguments: arguments)])
        }
    } else {
        _ = try? Parser.parseSelector(text, origin: "fuzz")
    }
    return 0
}
