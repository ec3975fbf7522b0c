import Foundation
import Testing
@testable import SkpKit

/// One table of options drives the parser, `--help`, completion and the README's table.
struct OptionTableTests {
    let parser = CommandLineParser(library: try! TaskLibrary(files: []))

    /// Every option in the table parses, with a value of its kind; `--help` shows each.
    @Test(arguments: OptionSpec.table)
    func everyOptionParsesAndIsInTheHelp(option: OptionSpec) throws {
        let samples = ["x", "5", "strict", "grouped", "never", "true"]
        let forms = option.value == nil ? [["--" + option.long]] : samples.map { ["--" + option.long, $0] }
        let parsed = forms.contains { (try? parser.parse($0)) != nil }
        if case .early = option.action {
            // Read by App before the parser runs: the parser says where it goes.
            let error = Fixture.diagnostic { _ = try parser.parse(["--" + option.long]) }
            #expect(error?.message == "--\(option.long) comes before anything else")
        } else {
            #expect(parsed, "--\(option.long) is in the table but does not parse")
        }
        if let short = option.short {
            #expect(OptionSpec.named("-\(short)")?.long == option.long)
        }
        let help = HelpPrinter(library: try TaskLibrary(files: []), style: Style(mode: .never, fileDescriptor: 1, environment: [:])).general()
        #expect(help.contains("--\(option.long)") == !option.hidden)
    }

    /// The flags `--help` shows are exactly the table's, so help cannot list one the parser lost.
    @Test func helpListsExactlyTheOptionsTheParserAccepts() throws {
        let help = HelpPrinter(library: try TaskLibrary(files: []), style: Style(mode: .never, fileDescriptor: 1, environment: [:])).general()
        let options = help.components(separatedBy: "Options:")[1].components(separatedBy: "Exit status:")[0]
        let shown = Set(options.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: #"^\s+(-\w, )?--[a-z][a-z-]*"#, options: .regularExpression) else { return nil }
            return String(line[range].split(separator: " ").last!.dropFirst(2))
        })
        #expect(shown == Set(OptionSpec.listed.map(\.long)))
        for name in shown { #expect(OptionSpec.named("--" + name) != nil, "--\(name)") }
        #expect(help.contains("skp runs"))
    }

    /// The README's option table names every option, and none that does not exist.
    @Test func theReadmeTableMatchesTheParser() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let table = readme.components(separatedBy: "| option | meaning |\n")[1].components(separatedBy: "\n\n")[0]
        var named = Set<String>()
        for row in table.split(separator: "\n").dropFirst() {
            let cell = row.split(separator: "|", omittingEmptySubsequences: true).first ?? ""
            var rest = Substring(cell)
            while let range = rest.range(of: #"--[a-z][a-z-]*"#, options: .regularExpression) {
                named.insert(String(rest[range].dropFirst(2)))
                rest = rest[range.upperBound...]
            }
        }
        #expect(named == Set(OptionSpec.listed.map(\.long)),
                "missing from README: \(Set(OptionSpec.listed.map(\.long)).subtracting(named).sorted()); unknown: \(named.subtracting(OptionSpec.listed.map(\.long)).sorted())")
    }

    @Test func completionOffersTheSameOptions() {
        let offered = Set(Completion.flags(nil).split(separator: "\n").map(String.init))
        #expect(offered == Set(OptionSpec.listed.map { "--" + $0.long }))
    }
}

extension OptionSpec: CustomTestStringConvertible {
    public var testDescription: String { "--" + long }
}
