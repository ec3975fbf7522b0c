import Foundation

/// The live view on a terminal: one line per host of the current stage (queued, connecting,
/// running step k of n, then how it ended) with its elapsed time. When the hosts do not fit,
/// only those that need attention are listed (running, longest first, then failures) under
/// a line of counts. A running host's line ends with the last line its step printed, so a step
/// that follows something (a service converging: `web: 3/5 running`) shows where it is.
/// `StatusBoardView` draws it under the output and redraws it on every change.
struct StatusBoard {
    enum State {
        case queued, connecting
        case running(Int, Int)
        case done(HostReport.Status)
    }

    private var order: [String] = []
    private var states: [String: (state: State, started: Date?, ended: Date?)] = [:]
    var isEmpty: Bool { order.isEmpty }

    mutating func reset(_ hosts: [String]) {
        order = hosts
        lastLine = [:]
        runningStep = [:]
        states = Dictionary(hosts.map { ($0, (State.queued, nil, nil)) }, uniquingKeysWith: { a, _ in a })
    }

    mutating func clear() { order = []; states = [:]; lastLine = [:] }

    /// Connected: back to the step that asked for the connection.
    mutating func connected(_ host: String) {
        if let step = runningStep[host] { set(host, .running(step.0, step.1)) }
    }

    private var runningStep: [String: (Int, Int)] = [:]
    /// The last line the running step printed, already masked and made visible.
    private var lastLine: [String: String] = [:]

    mutating func note(_ host: String, line: String) {
        guard states[host] != nil, !line.isEmpty else { return }
        lastLine[host] = line
    }

    mutating func set(_ host: String, _ state: State) {
        if case .running(let k, let n) = state {
            if runningStep[host].map({ $0 != (k, n) }) ?? true { lastLine[host] = nil }
            runningStep[host] = (k, n)
        }
        if case .done = state { lastLine[host] = nil }
        guard var entry = states[host] else { return }
        entry.state = state
        if entry.started == nil { entry.started = Date() }
        if case .done = state { entry.ended = Date() }
        states[host] = entry
    }

    /// The terminal sizes drawn for: a 0-column terminal (or one reporting nonsense) gets the
    /// smallest board that still means something, never a negative slice.
    static let columnRange = 20...1_000, rowRange = 3...500

    func lines(rows: Int, columns: Int, style: Style) -> [String] {
        guard !order.isEmpty else { return [] }
        let rows = min(max(rows, Self.rowRange.lowerBound), Self.rowRange.upperBound)
        let columns = min(max(columns, Self.columnRange.lowerBound), Self.columnRange.upperBound)
        let width = min(order.map(\.count).max() ?? 4, 24)
        let now = Date()
        func line(_ host: String) -> String {
            guard let entry = states[host] else { return host }
            let elapsed = entry.started.map { String(format: "%.1fs", (entry.ended ?? now).timeIntervalSince($0)) } ?? ""
            let (text, paint): (String, (String) -> String) = {
                switch entry.state {
                case .queued: return ("queued", style.dim)
                case .connecting: return ("connecting", style.cyan)
                case .running(let k, let n): return ("running step \(k)/\(n)", style.bold)
                case .done(let status):
                    let paint: (String) -> String = switch status {
                    case .ok: style.green
                    case .changed: style.yellow
                    case .cancelled: style.dim
                    case .wouldChange, .failed, .timedOut, .unreachable, .skipped, .notStarted: style.red
                    }
                    return (status.rawValue, paint)
                }
            }()
            let name = String(host.prefix(width)).padding(toLength: width, withPad: " ", startingAt: 0)
            let plain = "  \(name)  \(text.padding(toLength: 18, withPad: " ", startingAt: 0)) \(elapsed)"
            guard plain.count < columns else { return String(plain.prefix(columns - 1)) }
            var shown = "  \(name)  " + paint(text.padding(toLength: 18, withPad: " ", startingAt: 0)) + " " + style.dim(elapsed)
            if let last = lastLine[host], plain.count + 3 < columns - 1 {
                shown += "  " + style.dim(String(last.prefix(columns - 1 - plain.count - 2)))
            }
            return shown
        }
        if order.count <= rows { return order.map(line) }
        // Too many to list: counts, then the hosts worth looking at.
        var counts: [String: Int] = [:]
        for host in order {
            switch states[host]?.state ?? .queued {
            case .queued: counts["queued", default: 0] += 1
            case .connecting, .running: counts["running", default: 0] += 1
            case .done(let status): counts[status.rawValue, default: 0] += 1
            }
        }
        let done: [HostReport.Status] = [.ok, .changed, .failed, .timedOut, .unreachable, .notStarted, .cancelled]
        let summary = (["running", "queued"] + done.map(\.rawValue))
            .compactMap { key in counts[key].map { "\($0) \(key)" } }.joined(separator: " · ")
        let running = order.filter {
            switch states[$0]?.state { case .connecting?, .running?: true; default: false }
        }.sorted { (states[$0]?.started ?? now) < (states[$1]?.started ?? now) }
        let failed = order.filter {
            if case .done(let status)? = states[$0]?.state { return ![.ok, .changed].contains(status) }
            return false
        }
        let attention = running + failed
        var out = ["  " + String(summary.prefix(columns - 3))]
        out += attention.prefix(rows - 2).map(line)
        if attention.count > rows - 2 { out.append(style.dim("  … \(attention.count - (rows - 2)) more")) }
        return out
    }
}
