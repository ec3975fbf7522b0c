import Foundation
import Testing

/// The shape of the code, checked so it stays readable: small files, folders that depend one way
/// (load → parse → resolve → plan → execute → report), and every `@unchecked Sendable` saying why.
struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func swiftFiles(under folder: String) -> [String] {
        let base = root + "/" + folder
        return (FileManager.default.enumerator(atPath: base)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".swift") }.map { base + "/" + $0 }.sorted()
    }

    static func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    @Test func noSourceFileIsOver250Lines() {
        let files = Self.swiftFiles(under: "Sources")
        #expect(files.count > 50)
        for file in files {
            let lines = Self.text(file).split(separator: "\n", omittingEmptySubsequences: false).count - 1
            #expect(lines <= 250, "\(file.dropFirst(Self.root.count + 1)) has \(lines) lines")
        }
    }

    /// Which folder of SkpKit uses which: a type declared in one folder and named in another is a
    /// dependency. No cycles.
    @Test func skpKitFoldersDependOneWay() throws {
        let files = Self.swiftFiles(under: "Sources/SkpKit")
        func folder(_ file: String) -> String { URL(fileURLWithPath: file).deletingLastPathComponent().lastPathComponent }
        var owners: [String: Set<String>] = [:]
        let declaration = try Regex(#"(?m)^(?:public |private |fileprivate |final |indirect )*(?:struct|class|enum|protocol|typealias) +(\w+)"#)
        for file in files {
            for match in Self.text(file).matches(of: declaration) {
                owners[String(match.output[1].substring ?? ""), default: []].insert(folder(file))
            }
        }
        let owned = owners.compactMapValues { $0.count == 1 ? $0.first : nil }
        var graph: [String: Set<String>] = [:]
        var why: [String: String] = [:]
        let word = try Regex(#"[A-Za-z_][A-Za-z0-9_]*"#)
        for file in files {
            let here = folder(file)
            // Comments do not count; `JSONNode.Value` and names after a dot are members, not types.
            let code = Self.text(file).split(separator: "\n").map { line in line.range(of: "//").map { line[..<$0.lowerBound] } ?? line }
                .joined(separator: "\n")
            for match in code.matches(of: word) {
                let previous = match.range.lowerBound > code.startIndex ? code[code.index(before: match.range.lowerBound)] : " "
                guard previous != ".", let owner = owned[String(code[match.range])], owner != here else { continue }
                if file.hasSuffix("JSONNode.swift"), code[match.range] == "Value" { continue }
                if graph[here, default: []].insert(owner).inserted {
                    why[here + "->" + owner] = "\(code[match.range]) in \(URL(fileURLWithPath: file).lastPathComponent)"
                }
            }
        }
        // A folder reaching itself through its dependencies is a cycle.
        func reaches(_ from: String, _ target: String, _ seen: inout Set<String>) -> Bool {
            for next in graph[from] ?? [] {
                if next == target { return true }
                if seen.insert(next).inserted, reaches(next, target, &seen) { return true }
            }
            return false
        }
        for start in graph.keys.sorted() {
            var seen = Set<String>()
            #expect(!reaches(start, start, &seen),
                    "\(start) depends on itself through \(graph[start]!.sorted().map { $0 + " (" + (why[start + "->" + $0] ?? "") + ")" })")
        }
        #expect(graph["Execution"]?.contains("CLI") != true && graph["Execution"]?.contains("Report") != true)
        #expect(graph["Text"] == nil && graph["Diagnostics"] == nil, "\(why.filter { $0.key.hasPrefix("Text") || $0.key.hasPrefix("Diagnostics") })")
    }

    @Test func everyUncheckedSendableSaysWhyItIsSafe() {
        for file in Self.swiftFiles(under: "Sources") {
            let lines = Self.text(file).split(separator: "\n", omittingEmptySubsequences: false)
            for (i, line) in lines.enumerated() where line.contains("@unchecked Sendable") {
                let near = lines[max(0, i - 2)...min(lines.count - 1, i + 3)].joined(separator: "\n")
                #expect(near.contains("@unchecked:"), "\(file.dropFirst(Self.root.count + 1)):\(i + 1) does not say why it is safe")
            }
        }
    }

    /// Task files read like the guide: no line over 120 characters, and a probe written more
    /// than once becomes a named check (`check NAME(…) "…"`).
    @Test func taskFilesAreShortAndWriteEachProbeOnce() throws {
        let folder = Self.root + "/tasks"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".skp") }.sorted()
        #expect(files.count >= 5)
        var probes: [String: String] = [:]
        let inline = try Regex(#"unless "((?:[^"\\]|\\.)*)""#)
        for name in files {
            let lines = Self.text(folder + "/" + name).split(separator: "\n", omittingEmptySubsequences: false)
            for (i, line) in lines.enumerated() {
                #expect(line.count <= 120, "tasks/\(name):\(i + 1) is \(line.count) characters")
                for match in line.matches(of: inline) {
                    let probe = String(line[match.range])
                    if let first = probes[probe] {
                        Issue.record("tasks/\(name):\(i + 1) repeats the probe of \(first): name it with check")
                    } else {
                        probes[probe] = "tasks/\(name):\(i + 1)"
                    }
                }
            }
        }
        #expect(probes.count >= 10, "the probe pattern found \(probes.count) probes")
    }
}
