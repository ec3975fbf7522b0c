import Testing
@testable import SkpKit

/// Mistakes are values: tests ask which kind, with which names, not for a substring.
struct ProblemKindTests {
    func problem(_ body: () throws -> Void) -> Problem? { Fixture.diagnostic(body)?.problem }

    func library(_ files: [String: String]) throws -> TaskLibrary {
        try TaskLibrary(files: files.sorted { $0.key < $1.key }.map { try Fixture.parse($0.value, path: "tasks/\($0.key).skp") })
    }

    @Test func commandLineMistakesHaveKinds() throws {
        let parser = CommandLineParser(library: try library(["t": "task cmd {\n  param command -c \"…\"\n  run \"${command}\"\n}\n"]))
        let parse = { (arguments: [String]) in { _ = try parser.parse(arguments) } }
        #expect(problem(parse(["t.cmd", "--bogus"])) == .unknown(.flag, name: "--bogus", within: "for t.cmd"))
        #expect(problem(parse(["t.cnd"])) == .unknown(.task, name: "t.cnd"))
        #expect(problem(parse(["t.cmd", "-c=a", "-c=b"])) == .givenTwice(what: "-c", for: "t.cmd"))
        #expect(problem(parse(["--forks", "0", "t.cmd"]))
                == .outOfRange(what: "--forks", given: "0", low: "1", high: "10000", unit: "a number of hosts"))
    }

    @Test func taskFileMistakesHaveKinds() {
        #expect(problem { _ = try library(["t": "task a { run \"x\" unles \"y\" }"]) } == .expected("end of line", found: "'unles'"))
        #expect(problem { _ = try library(["t": "task a { frob \"x\" }"]) } == .unknown(.step, name: "frob"))
        #expect(problem { _ = try library(["t": "task a { }\ntask a { }"]) }
                == .definedTwice(what: "task", name: "t.a", first: SourceLocation(file: "tasks/t.skp", line: 0, column: 5)))
    }

    @Test func inventoryMistakesHaveKinds() {
        #expect(problem { _ = try Fixture.inventory(hosts: #"{"c01": 5}"#) } == .wrongType(what: "host c01", expected: "an object", found: "a number"))
        #expect(problem { _ = try Fixture.inventory(hosts: #"{"c01": {"ipv4": "10.0.0.1",}}"#) }.map {
            if case .invalidJSON = $0 { true } else { false }
        } == true)
    }
}
