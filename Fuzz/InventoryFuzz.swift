// libFuzzer target: inventory loading (jansson, then skp's checks and locator). The input
// becomes hosts.json, volumes.json or networks.json (first byte) beside small valid others;
// loading must give an Inventory or diagnostics, never a crash (built with AddressSanitizer).
import Foundation

private let folder: String = {
    let path = "/dev/shm/skp-fuzz-\(getpid())"
    mkdir(path, 0o700)
    let hosts = #"{"m1": {"ipv4": "10.0.0.1", "roles": ["master"], "labels": {"l1": "enable"}}}"#
    FileManager.default.createFile(atPath: path + "/hosts.json", contents: Data(hosts.utf8))
    FileManager.default.createFile(atPath: path + "/volumes.json", contents: Data("{}".utf8))
    FileManager.default.createFile(atPath: path + "/networks.json", contents: Data("{}".utf8))
    return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func inventoryFuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let names = ["hosts", "volumes", "networks"]
    let name = names[Int(data[0]) % 3]
    let fuzzed = "\(folder)/fuzzed-\(name).json"
    FileManager.default.createFile(atPath: fuzzed, contents: Data(UnsafeBufferPointer(start: data + 1, count: count - 1)))
    var paths = InventoryPaths(hosts: folder + "/hosts.json", volumes: folder + "/volumes.json", networks: folder + "/networks.json")
    switch name {
    case "hosts": paths.hosts = fuzzed
    case "volumes": paths.volumes = fuzzed
    default: paths.networks = fuzzed
    }
    var loader = InventoryLoader(environment: SkpEnvironment(["HOME": "/root", "USER": "root"]))
    _ = try? loader.load(paths)
    return 0
}
