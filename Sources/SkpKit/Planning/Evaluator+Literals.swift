/// Functions that make a value safe for a file format other than the shell: vagrant.init writes
/// a Vagrantfile, which Vagrant runs as Ruby, so a host field or flag cannot be spliced in as is.
extension Evaluator {
    func literalFunction(_ name: String, _ args: [Value], at location: SourceLocation) throws -> Value? {
        switch (name, args.count) {
        case ("ruby_string", 1):
            // A Ruby "…" literal of exactly the text: nothing in it interpolates (#{…}) or ends it.
            let literal = Self.rubyString(try text(args[0], at: location))
            if case .secret = args[0] { return .secret(Secret(literal)) }
            return .string(literal)
        case ("integer", 3):
            // A whole number in a range, or an error: `vb.cpus = …` takes Ruby code, not text.
            let value = try text(args[0], at: location)
            guard let low = Int(try text(args[1], at: location)), let high = Int(try text(args[2], at: location)) else {
                throw error("integer(value, min, max) needs whole numbers for min and max", at: location)
            }
            guard !value.isEmpty, value.count <= 18, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let number = Int(value), (low...max(low, high)).contains(number) else {
                throw error("\(value.debugDescription.visible()) is not a whole number from \(low) to \(high)", at: location,
                            hint: "digits only, e.g. 2; check the host's field in hosts.json or the flag")
            }
            return .string(String(number))
        case ("docker_name", 1):
            // A stack (or other Docker object) name as Docker allows it: it also names files and
            // folders on the host, so nothing like `../` or `;` can pass.
            let value = try text(args[0], at: location)
            guard let first = value.unicodeScalars.first, value.unicodeScalars.count <= 63,
                  first.properties.isASCIIHexDigit || ("a"..."z").contains(first) || ("A"..."Z").contains(first),
                  value.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) }) else {
                throw error("\(value.debugDescription.visible()) is not a Docker name", at: location,
                            hint: "letters, digits, '_', '.' and '-', starting with a letter or digit, at most 63")
            }
            return args[0]
        case ("basename", 1):
            // The last part of a path (`/var/log/` → `log`): a file name, never `..` or a folder.
            let path = try text(args[0], at: location)
            guard let last = path.split(separator: "/").last, last != ".", last != ".." else {
                throw error("\(path.debugDescription.visible()) has no file name", at: location,
                            hint: "name a file, e.g. /etc/docker/daemon.json")
            }
            if case .secret = args[0] { return .secret(Secret(String(last))) }
            return .string(String(last))
        default:
            return nil
        }
    }

    static func rubyString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "#": out += "\\#"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
