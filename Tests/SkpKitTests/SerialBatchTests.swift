import Foundation
import Testing
@testable import SkpKit

/// `serial N|N%` in task files and `--serial`: how stages are parsed, planned and shown.
struct SerialLanguageTests {
    let inventory: Inventory

    init() throws { inventory = try Fixture.inventory(hosts: Fixture.fiveHosts) }

    func plan(_ text: String, defaultSerial: HostCount? = nil) throws -> Plan {
        let library = try TaskLibrary(files: [Fixture.parse(text)])
        var planner = Planner(library: library, inventory: inventory, environment: Fixture.environment)
        planner.defaultSerial = defaultSerial
        return try planner.plan([TaskRequest(task: "t.t")])
    }

    @Test func serialTakesACountOrAShareOfTheStagesHosts() throws {
        let plan = try plan("task t {\n on all serial 2 { run \"a\" }\n on all serial 40% { run \"b\" }\n on c01|c02 serial\n run \"c\"\n on all serial 1% { run \"d\" }\n on c01 serial 9 { run \"e\" }\n on all { run \"f\" }\n}")
        let stages = plan.tasks[0].stages
        #expect(stages.map(\.serial) == [.hosts(2), .percent(40), .hosts(1), .percent(1), .hosts(9), nil])
        // 40% of 5 is 2; 1% of 5 rounds up to one host; 9 of a 1-host stage is that host.
        #expect(stages.map(\.batchSize) == [2, 2, 1, 1, 1, nil])
        let printed = PlanPrinter(style: Style(enabled: false)).render(plan)
        #expect(printed.contains("on all serial 2, 2 hosts at a time\n"))
        #expect(printed.contains("on all serial 40%, 2 of 5 hosts at a time\n"))
        #expect(printed.contains("on c01,c02 serial, one host at a time\n"))
        #expect(printed.contains("on all\n"))
        #expect(plan.json.contains(#""serial":true,"serial_as_written":"40%","batch_size":2"#), "\(plan.json.prefix(400))")
        #expect(plan.json.contains(#""serial":false,"serial_as_written":null,"batch_size":null"#))
    }

    @Test func theSerialOptionCoversOnlyStagesWithoutTheirOwn() throws {
        let plan = try plan("task t {\n on all { run \"a\" }\n on c02|c03 serial { run \"b\" }\n}", defaultSerial: .percent(40))
        #expect(plan.tasks[0].stages.map(\.serial) == [.percent(40), .hosts(1)])
        #expect(plan.tasks[0].stages.map(\.batchSize) == [2, 1])
    }

    @Test(arguments: [
        ("task t {\n on all serial 0 { run \"a\" }\n}", "tasks/t.skp:2:16", "serial takes a whole number of hosts from 1 to 100000, not '0'"),
        ("task t {\n on all serial 101% { run \"a\" }\n}", "tasks/t.skp:2:16", "serial takes a percentage from 1% to 100%, not '101%'"),
        ("task t {\n on all serial 0%\n run \"a\"\n}", "tasks/t.skp:2:16", "serial takes a percentage from 1% to 100%, not '0%'"),
        ("task t {\n on all serial 2.5 { run \"a\" }\n}", "tasks/t.skp:2:16", "serial takes a whole number of hosts from 1 to 100000, not '2.5'"),
        ("task t {\n on all serial 99999999999 { run \"a\" }\n}", "tasks/t.skp:2:16", "not '99999999999'"),
        ("task t {\n on all serial x { run \"a\" }\n}", "tasks/t.skp:2:16", "expected how many hosts at a time: a number of hosts from 1 to 100000 (2) or a percentage from 1% to 100% (40%), found 'x'"),
        ("task t {\n on all serail 2 { run \"a\" }\n}", "tasks/t.skp:2:9", "unexpected 'serail' after the hosts of on"),
    ])
    func badBatchSizesAreRefusedWhereTheyStand(text: String, location: String, message: String) {
        let error = Fixture.diagnostic { _ = try Fixture.parse(text) }
        #expect(error?.location?.description == location, "\(String(describing: error))")
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        if message.contains("serail") { #expect(error?.hint == "did you mean 'serial'?") }
    }

    @Test func helpShowsHowManyAtATime() throws {
        let file = try Fixture.parse("task t {\n on all serial 40% { run \"a\" }\n on c01 serial { run \"b\" }\n on c02 serial 3 { run \"c\" }\n}")
        #expect(HelpPrinter.targets(file.tasks[0].body) == ["all (40% at a time)", "c01 (one at a time)", "c02 (3 at a time)"])
    }
}

/// `--serial` and `--max-fail` on the command line.
struct SerialOptionTests {
    let parser = CommandLineParser(library: try! TaskLibrary(files: []))

    @Test func bothTakeACountOrAPercentage() throws {
        #expect(try parser.parse(["--serial", "2"]).options.serial == .hosts(2))
        #expect(try parser.parse(["--serial=40%"]).options.serial == .percent(40))
        #expect(try parser.parse(["--max-fail", "20%"]).options.maxFail == .percent(20))
        #expect(try parser.parse(["--max-fail=3"]).options.run.maxFail == .hosts(3))
        #expect(try parser.parse([]).options.run.maxFail == nil)
    }

    @Test(arguments: ["0", "0%", "101%", "x", "-1", "1.5", "2 ", "100001", "1e3", "%", "", "99999999999999999999"])
    func outOfRangeOrMalformedValuesAreRefused(value: String) {
        for flag in ["--serial", "--max-fail"] {
            let error = Fixture.diagnostic { _ = try parser.parse([flag, value]) }
            #expect(error?.message == "\(flag) takes a number of hosts from 1 to 100000 (2) or a percentage from 1% to 100% (40%), not '\(value)'",
                    "\(String(describing: error))")
        }
    }

    @Test func aMistypedOptionIsSuggested() {
        let error = Fixture.diagnostic { _ = try parser.parse(["--max-fial", "2"]) }
        #expect(error?.hint == "did you mean --max-fail?")
    }
}
