import Foundation

/// How many run journals `.skp/runs` keeps: the newest `keep` (the starting run's included),
/// and none older than `days`. Old journals are deleted when a new recorded run starts; the
/// run being resumed never is.
public struct RunRetention: Sendable {
    public var keep = 200
    public var days = 30

    public static let keepRange = 1...100_000, daysRange = 1...36_500

    public init(keep: Int = 200, days: Int = 30) {
        self.keep = keep
        self.days = days
    }

    /// From `$SKP_KEEP_RUNS` and `$SKP_KEEP_RUNS_DAYS`, each range-checked.
    public init(environment: [String: String]) throws {
        keep = try Self.number(environment, "SKP_KEEP_RUNS", in: Self.keepRange, default: 200)
        days = try Self.number(environment, "SKP_KEEP_RUNS_DAYS", in: Self.daysRange, default: 30)
    }

    private static func number(_ environment: [String: String], _ name: String, in range: ClosedRange<Int>,
                               default fallback: Int) throws -> Int {
        guard let text = environment[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Diagnostic(.outOfRange(what: "$" + name, given: text, low: String(range.lowerBound), high: String(range.upperBound), unit: "a whole number"))
        }
        return value
    }

    /// Deletes, before a run writes its journal, the journals beyond the newest `keep - 1` and
    /// those last written more than `days` ago, except `sparing` (the run being resumed). Only
    /// regular `*.jsonl` files are touched.
    public func prune(folder: String, sparing: String?, now: Date = Date()) {
        let oldest = now.timeIntervalSince1970 - Double(days) * 86_400
        for (position, id) in RunHistory.ids(folder: folder).enumerated() where id != sparing {
            let path = "\(folder)/\(id).jsonl"
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if position >= keep - 1 || Double(info.st_mtim.tv_sec) < oldest { unlink(path) }
        }
    }
}
