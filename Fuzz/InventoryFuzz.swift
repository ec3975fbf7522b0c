// libFuzzer target: inventory loading (jansson, then skp's checks and locator). The input
// becomes hosts.json, volumes.json, networks.json, images.json or services.json (first byte)
// beside small valid others;
// loading must give an Inventory or diagnostics, never a crash (built with AddressSanitizer).
import Foundation

private let folder: String = {
    let path = "/dev/shm/skp-fuzz-\(getpid())"
    mkdir(path, 0o700)
    let hosts = #"{"m1": {"ipv4": "10.0.0.1", "roles": ["master"], "labels": {"l1": "enable"}}}"#
    FileManager.default.createFile(atPath: path + "/hosts.json", contents: Data(hosts.utf8))
    FileManager.default.createFile(atPath: path + "/volumes.json", contents: Data("{}".utf8))
    FileManager.default.createFile(atPath: path + "/networks.json", contents: Data(#"{"n1": {"opts": ["--attachable"]}}"#.utf8))
    FileManager.default.createFile(atPath: path + "/images.json", contents: Data(#"{"i/a": {"registry": "localhost:5000", "path": "x"}}"#.utf8))
    FileManager.default.createFile(atPath: path + "/services.json", contents: Data(#"{"s1": {"label": "l1", "image": "i/a"}}"#.utf8))
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func inventoryFuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let names = ["hosts", "volumes", "networks", "images", "services"]
    let name = names[Int(data[0] & 0x7F) % names.count]
    let fuzzed = "\(folder)/fuzzed-\(name).json"
    var bytes = Array(UnsafeBufferPointer(start: data + 1, count: count - 1))
    // Bit 7: deep input, so arrays and objects nested up to and past jansson's depth limit are
    // one mutation away.
    if data[0] & 0x80 != 0 { bytes = deepen(bytes) }
    _ = FileManager.default.createFile(atPath: fuzzed, contents: Data(bytes))
    var paths = InventoryPaths(hosts: folder + "/hosts.json", volumes: folder + "/volumes.json", networks: folder + "/networks.json",
                               images: folder + "/images.json", services: folder + "/services.json")
    switch name {
    case "hosts": paths.hosts = fuzzed
    case "volumes": paths.volumes = fuzzed
    case "networks": paths.networks = fuzzed
    case "images": paths.images = fuzzed
    default: paths.services = fuzzed
    }
    var loader = InventoryLoader(environment: SkpEnvironment(["HOME": "/root", "USER": "root"]))
    _ = try? loader.load(paths)
    return 0
}

/// `[repeats/40, length-1, prefix, head, 0, middle, 0, closer, 0, tail]` becomes head, the prefix
/// repeated, middle, the closer repeated, tail (without NULs: the prefix repeated, then the rest).
/// Kept the same in ParserFuzz.swift.
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
