// libFuzzer target: the task language. Any input must give a TaskFile or a Diagnostic, never a
// crash, a hang or an out-of-bounds read (built with AddressSanitizer). The first byte picks
// what to parse: a task file, a host selector as written after `on` and in --limit, or a
// command line (one argument per line); its bit 7 asks for a prefix repeated thousands of times
// (deep nesting). A task
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

/// A small library for the command-line mode: flags of every kind, a hook chain. Built for each
/// input, not kept in a global: the syntax tree's enum payloads carry tag bits in their pointers,
/// so LeakSanitizer cannot see that a global holds them and reports them leaked at exit.
private func makeLibrary() -> TaskLibrary? {
    let text = """
    task a "A" {
      param name -n required "a name"
      param loud flag
      param size default "1"
      pre b
      echo "${name}"
    }
    task b {
      echo "b"
    }
    """
    return (try? Parser.parseFile(SourceText(path: "fuzz.skp", text: text))).flatMap { try? TaskLibrary(files: [$0]) }
}

/// Bit 7 of the first byte asks for deep input, so nesting thousands deep (`((((`, `not not`,
/// `if x {` …) is one mutation away: see `deepen`.
private func expand(_ bytes: UnsafeBufferPointer<UInt8>, deep: Bool) -> [UInt8] {
    deep ? deepen(Array(bytes)) : Array(bytes)
}

/// `[repeats/40, length-1, prefix, head, 0, middle, 0, closer, 0, tail]` becomes head, the prefix
/// repeated, middle, the closer repeated, tail (without NULs: the prefix repeated, then the rest).
/// Kept the same in InventoryFuzz.swift.
func deepen(_ bytes: [UInt8]) -> [UInt8] {
    guard bytes.count >= 2 else { return bytes }
    let repeats = Int(bytes[0]) * 40, length = min(Int(bytes[1] % 16) + 1, bytes.count - 2)
    let prefix = Array(bytes[2..<2 + length])
    var parts = bytes[(2 + length)...].split(separator: 0, maxSplits: 3, omittingEmptySubsequences: false).map(Array.init)
    if parts.count == 1 { parts.insert([], at: 0) }
    while parts.count < 4 { parts.append([]) }
    var out = parts[0]
    for _ in 0..<repeats { out += prefix }
    out += parts[1]
    // The closer is cut to 16 bytes like the prefix: at most 10,200 x 32 bytes of nesting, never
    // a closer of the whole input repeated ten thousand times (gigabytes: the harness's OOM, not skp's).
    let closer = Array(parts[2].prefix(16))
    for _ in 0..<repeats { out += closer }
    return out + parts[3]
}

@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let input = expand(UnsafeBufferPointer(start: data + 1, count: count - 1), deep: data[0] & 0x80 != 0)
    let text = String(decoding: input, as: UTF8.self)
    switch data[0] & 3 {
    case 0:
        guard let file = try? Parser.parseFile(SourceText(path: "fuzz.skp", text: text)), let inventory,
              let library = try? TaskLibrary(files: [file]) else { return 0 }
        let planner = Planner(library: library, inventory: inventory, environment: environment)
        for task in file.tasks {
            var arguments: [String: String] = [:]
            for param in task.params { arguments[param.name] = param.isFlag ? "true" : "x'\"`$(y)\\\nEOF" }
            _ = try? planner.plan([TaskRequest(task: file.namespace + "." + task.name, arguments: arguments)])
        }
    case 1:
        _ = try? Parser.parseSelector(text, origin: "fuzz")
    default:
        // The command line, one argument per line, then what it selects.
        guard let library = makeLibrary(), let inventory else { return 0 }
        let arguments = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let parsed = try? CommandLineParser(library: library).parse(arguments) else { return 0 }
        for selector in [parsed.options.limit, parsed.options.listHosts].compactMap({ $0 }) {
            _ = try? SelectorResolver(inventory: inventory).resolve(Parser.parseSelector(selector))
        }
        var planner = Planner(library: library, inventory: inventory, environment: environment)
        planner.prompt = nil
        _ = try? planner.plan(parsed.requests)
    }
    return 0
}
