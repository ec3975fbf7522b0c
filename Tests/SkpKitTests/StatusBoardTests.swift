import Testing
@testable import SkpKit

/// The live board's lines, without a terminal.
struct StatusBoardTests {
    let style = Style(mode: .never, fileDescriptor: 1, environment: [:])

    @Test func aRunningHostShowsTheLastLineItsStepPrinted() {
        var board = StatusBoard()
        board.reset(["c01", "c02"])
        board.set("c01", .running(2, 3))
        board.note("c01", line: "web: 1/5 running")
        board.note("c01", line: "web: 3/5 running")
        board.set("c02", .running(1, 3))
        let lines = board.lines(rows: 10, columns: 80, style: style)
        #expect(lines[0].hasPrefix("  c01  running step 2/3"))
        #expect(lines[0].hasSuffix("  web: 3/5 running"), "\(lines[0])")
        #expect(!lines[1].contains("web"))
    }

    @Test func theLineGoesWithTheStepAndIsCutToTheTerminal() {
        var board = StatusBoard()
        board.reset(["c01"])
        board.set("c01", .running(1, 2))
        board.note("c01", line: String(repeating: "x", count: 500))
        let narrow = board.lines(rows: 10, columns: 60, style: style)
        #expect(narrow.allSatisfy { $0.count < 60 }, "\(narrow)")
        #expect(narrow[0].contains("xxx"))
        // The next step starts with no line of its own yet; a finished host shows how it ended.
        board.set("c01", .running(2, 2))
        #expect(!board.lines(rows: 10, columns: 80, style: style)[0].contains("x"))
        board.note("c01", line: "almost")
        board.set("c01", .done(.changed))
        #expect(!board.lines(rows: 10, columns: 80, style: style)[0].contains("almost"))
    }

    @Test func aNoteForAHostNotOnTheBoardIsIgnored() {
        var board = StatusBoard()
        board.reset(["c01"])
        board.note("c09", line: "stray")
        #expect(!board.lines(rows: 10, columns: 80, style: style).joined().contains("stray"))
    }
}
