import Foundation

/// Colour decided once per invocation and handed to whatever prints.
public struct Style: Sendable {
    public var enabled: Bool

    public enum Mode: String, Sendable { case auto, always, never }

    public init(enabled: Bool) { self.enabled = enabled }

    /// `auto`: colour on a terminal, unless NO_COLOR is set or TERM is dumb.
    public init(mode: Mode, fileDescriptor: Int32, environment: [String: String]) {
        switch mode {
        case .always: enabled = true
        case .never: enabled = false
        case .auto:
            enabled = isatty(fileDescriptor) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        }
    }

    public func bold(_ s: String) -> String { wrap(s, "1") }
    public func dim(_ s: String) -> String { wrap(s, "2") }
    public func red(_ s: String) -> String { wrap(s, "31") }
    public func green(_ s: String) -> String { wrap(s, "32") }
    public func yellow(_ s: String) -> String { wrap(s, "33") }
    public func cyan(_ s: String) -> String { wrap(s, "36") }

    /// Distinct colours for host prefixes, chosen by position so neighbours differ.
    public func host(_ s: String, index: Int) -> String {
        let palette = ["36", "35", "34", "32", "33", "96", "95", "94", "92", "93"]
        return wrap(s, palette[index % palette.count])
    }

    private func wrap(_ s: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }
}
