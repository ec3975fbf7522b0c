/// Host names folded the way pdsh's dshbak -c writes them: `c[01-03,05]`. Names that end in
/// digits are grouped by what comes before the digits; consecutive numbers of the same width
/// become a range, zero padding kept (`c01`, `c1` and `c10` stay apart where they would read
/// differently). Other names are listed as they are. Deterministic: groups in the order their
/// first name was given, numbers in ascending order.
enum HostList {
    static func fold(_ names: [String]) -> String {
        var prefixes: [String] = []
        var numbered: [String: [(value: Int, digits: String)]] = [:]
        var pieces: [(first: Int, text: String?)] = []
        var seen = Set<String>()
        for name in names where seen.insert(name).inserted {
            guard let (prefix, digits) = split(name), let value = Int(digits) else {
                pieces.append((pieces.count, name))
                continue
            }
            if numbered[prefix] == nil {
                prefixes.append(prefix)
                // Where the group will be written: the position of its first name.
                pieces.append((pieces.count, nil))
            }
            numbered[prefix, default: []].append((value, digits))
        }
        var groups = prefixes.makeIterator()
        return pieces.map { piece in
            if let text = piece.text { return text }
            let prefix = groups.next()!
            let members = numbered[prefix]!
            if members.count == 1 { return prefix + members[0].digits }
            return prefix + "[" + ranges(members).joined(separator: ",") + "]"
        }.joined(separator: ",")
    }

    /// `c01` → (`c`, `01`); nil when the name does not end in digits or is only digits.
    static func split(_ name: String) -> (String, String)? {
        let digits = name.reversed().prefix { $0.isASCII && $0.isNumber }
        // Past 18 digits a number could overflow Int: such a name is listed as it is.
        guard !digits.isEmpty, digits.count < name.count, digits.count <= 18 else { return nil }
        return (String(name.dropLast(digits.count)), String(digits.reversed()))
    }

    /// `01-03`, `05`: runs of consecutive numbers written the same way, lowest first.
    static func ranges(_ members: [(value: Int, digits: String)]) -> [String] {
        let sorted = members.sorted { ($0.value, $0.digits) < ($1.value, $1.digits) }
        // Several runs may be open at once (`c01`… and `c1`…): each number extends the run it
        // continues, written with that run's width, or starts its own.
        var runs: [(low: String, lowValue: Int, high: String, highValue: Int)] = []
        for member in sorted {
            let width = { (low: String) in low.count }
            if let index = runs.firstIndex(where: {
                $0.highValue + 1 == member.value && padded(member.value, width($0.low)) == member.digits
            }) {
                runs[index].high = member.digits
                runs[index].highValue = member.value
            } else {
                runs.append((member.digits, member.value, member.digits, member.value))
            }
        }
        return runs.sorted { ($0.lowValue, $0.low) < ($1.lowValue, $1.low) }
            .map { $0.lowValue == $0.highValue ? $0.low : $0.low + "-" + $0.high }
    }

    /// `value` written with at least `width` digits, as a range's low end sets them.
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
