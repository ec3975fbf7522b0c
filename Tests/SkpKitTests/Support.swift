import Foundation
@testable import SkpKit

/// Builds what tests need from literal text: task files, inventories in a temp folder, plans.
enum Fixture {
    static func parse(_ text: String, path: String = "tasks/t.skp") throws -> TaskFile {
        try Parser.parseFile(SourceText(path: path, text: text))
    }

    /// Expects `body` to throw a Diagnostic (or a list) and returns the first one.
    static func diagnostic(_ body: () throws -> Void) -> Diagnostic? {
        do { try body() } catch let d as Diagnostic { return d } catch let l as DiagnosticList { return l.diagnostics.first } catch {}
        return nil
    }

    static func folder(_ files: [String: String]) -> String {
        let dir = NSTemporaryDirectory() + "skp-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            let path = dir + "/" + name
            try! FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try! text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return dir
    }

    static let environment = SkpEnvironment(["HOME": "/home/op", "USER": "op", "SKP_USER": "root"], currentDirectory: "/work")

    static func inventory(hosts: String, volumes: String = "{}", networks: String = "{}") throws -> Inventory {
        let dir = folder(["hosts.json": hosts, "volumes.json": volumes, "networks.json": networks])
        var loader = InventoryLoader(environment: environment)
        return try loader.load(InventoryPaths(hosts: dir + "/hosts.json", volumes: dir + "/volumes.json",
                                              networks: dir + "/networks.json"))
    }

    static let fiveHosts = """
    {
      "c01": {"ipv4": "10.0.0.1", "roles": ["master", "manager"], "labels": {"pgsql": "enable", "web": "disable"}},
      "c02": {"ipv4": "10.0.0.2", "roles": ["manager"], "labels": {"web": "enable"}},
      "c03": {"ipv4": "10.0.0.3", "roles": ["manager"]},
      "c04": {"ipv4": "10.0.0.4", "roles": ["worker"], "labels": {"web": "enable", "zone": "b"}},
      "c05": {"ipv4": "10.0.0.5", "roles": ["worker"], "labels": {"zone": "a"}}
    }
    """

    /// Plans `requests` for task files given as text, against `inventory`.
    static func plan(_ tasks: [String: String], _ requests: [TaskRequest], inventory: Inventory,
                     limit: String? = nil) throws -> Plan {
        let files = try tasks.sorted { $0.key < $1.key }.map { try parse($0.value, path: "tasks/\($0.key).skp") }
        let library = try TaskLibrary(files: files)
        var planner = Planner(library: library, inventory: inventory, environment: environment)
        if let limit { planner.limit = try SelectorResolver(inventory: inventory).resolve(Parser.parseSelector(limit)) }
        return try planner.plan(requests)
    }

    /// One line per step: "task | host | masked command".
    static func lines(_ plan: Plan) -> [String] {
        plan.tasks.flatMap { task in
            task.stages.flatMap { stage in
                stage.hosts.flatMap { host in
                    host.steps.map { "\(task.name) | \(host.name) | " + PlanPrinter(style: Style(enabled: false)).describe($0) }
                }
            }
        }
    }
}

/// Tests write secrets as literals (`SecretMask(["x"])`); skp itself makes them only from
/// values it reads as secret.
extension Secret: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}
